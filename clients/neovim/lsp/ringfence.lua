---@brief
---
--- `ringfence` keeps AI-written code out of the zones of a repository where it must not land.
--- Its language server flags AI edits in restricted zones (RF001…) and offers code actions to
--- revert them, tag their provenance or hand the work to the in-house assistant.
---
--- Install the server with `pip install ringfence` (it provides `ringfence lsp`).
---
--- The root is the git top level, else the topmost directory holding a `.ringfence.toml` (root
--- markers `.git` and `.ringfence.toml`): nested policy files never start a server of their own.
--- Every filetype is attached. Settings (`heuristics`, `history`) go under `ringfence`:
---
--- ```lua
--- vim.lsp.config('ringfence', {
---   settings = { ringfence = { heuristics = { enabled = true, minLines = 3, minChars = 120 } } },
--- })
--- vim.lsp.enable('ringfence')
--- ```
---
--- The ringfence plugin (`require('ringfence').setup()`) adds edit-origin tracking, `:Ringfence`
--- and a statusline component; this file alone is enough for diagnostics and code actions.

---@param bufnr integer
---@param on_dir fun(root: string)
local function root_dir(bufnr, on_dir)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local git = vim.fs.root(bufnr, '.git')
  if git then
    return on_dir(git)
  end
  local policies = vim.fs.find('.ringfence.toml', { upward = true, path = vim.fs.dirname(path), limit = math.huge })
  if #policies > 0 then
    on_dir(vim.fs.dirname(policies[#policies]))
  end
end

---@type vim.lsp.Config
return {
  cmd = { 'ringfence', 'lsp' },
  root_dir = root_dir,
}
