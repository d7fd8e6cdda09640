--- Finding the ringfence language server client of a buffer, and the CLI that goes with it.

local M = {}

--- The name of the `vim.lsp.Config` (and so of the client).
M.name = 'ringfence'

--- The ringfence client attached to `buf`, if any.
---@param buf? integer
---@return vim.lsp.Client?
function M.get(buf)
  return vim.lsp.get_clients({ bufnr = buf or vim.api.nvim_get_current_buf(), name = M.name })[1]
end

--- The resolved `vim.lsp.Config` of the server (from `lsp/ringfence.lua` and `vim.lsp.config()`).
---@return vim.lsp.Config?
function M.config()
  local ok, cfg = pcall(function()
    return vim.lsp.config[M.name]
  end)
  return ok and cfg or nil
end

--- The command that runs the `ringfence` CLI: the server command up to its `lsp` argument, so a
--- server started as `{ 'python', '-m', 'ringfence', 'lsp' }` gives `{ 'python', '-m', 'ringfence' }`.
---@return string[]
function M.cli()
  local opts = require('ringfence.config').get()
  if opts.cli then
    return vim.deepcopy(opts.cli)
  end
  local cfg = M.config()
  local cmd = cfg and cfg.cmd
  if type(cmd) == 'table' then
    local prefix = {} ---@type string[]
    for _, arg in ipairs(cmd) do
      if arg == 'lsp' then
        return prefix
      end
      prefix[#prefix + 1] = arg
    end
  end
  return { 'ringfence' }
end

--- The repository root the server uses for `buf`: the client's root, else the git top level,
--- else the topmost directory holding a `.ringfence.toml`.
---@param buf? integer
---@return string?
function M.root(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local client = M.get(buf)
  if client and client.root_dir then
    return client.root_dir
  end
  return M.find_root(vim.api.nvim_buf_get_name(buf))
end

--- The root for a path: the git top level, else the topmost directory holding a `.ringfence.toml`.
---@param path string
---@return string?
function M.find_root(path)
  if path == '' then
    return nil
  end
  local git = vim.fs.root(path, '.git')
  if git then
    return git
  end
  local policies = vim.fs.find('.ringfence.toml', { upward = true, path = vim.fs.dirname(path), limit = math.huge })
  return policies[#policies] and vim.fs.dirname(policies[#policies]) or nil
end

return M
