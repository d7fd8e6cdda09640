--- `:checkhealth ringfence`: Neovim version, server found (and its version), policy found and
--- valid, client attached, edit-origin tracking and AI plugin wrappers, and which AI suggestion
--- sources were found and held back in which buffers.

local health = vim.health
local rf_client = require('ringfence.client')

local M = {}

--- The file buffer the user was in before `:checkhealth` opened its own buffer.
---@return integer?
local function target_buffer()
  local candidates = { require('ringfence').last_buffer(), vim.fn.bufnr('#'), vim.api.nvim_get_current_buf() }
  for _, buf in ipairs(candidates) do
    if buf and buf > 0 and vim.api.nvim_buf_is_valid(buf) and vim.bo[buf].buftype == '' then
      if vim.api.nvim_buf_get_name(buf) ~= '' then
        return buf
      end
    end
  end
end

---@param cmd string[]
---@param cwd? string
---@return vim.SystemCompleted?, string?
local function run(cmd, cwd)
  local ok, proc = pcall(vim.system, cmd, { cwd = cwd, text = true })
  if not ok then
    return nil, tostring(proc)
  end
  local res = proc:wait(20000)
  return res, nil
end

local function check_neovim()
  health.start('ringfence: Neovim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok(('Neovim %s'):format(tostring(vim.version())))
  else
    health.error('Neovim 0.11 or later is required (vim.lsp.config / vim.lsp.enable)')
  end
end

---@return string[]? cli
local function check_server()
  health.start('ringfence: language server')
  local cfg = rf_client.config()
  if not cfg then
    health.error("no 'ringfence' LSP config: is clients/neovim on the runtimepath?")
    return nil
  end
  if type(cfg.cmd) ~= 'table' then
    health.info('cmd is a function: cannot check the executable')
    return nil
  end
  local exe = cfg.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    health.error(
      ('server command not found: %s'):format(exe),
      { "pip install ringfence (or put its environment's bin on PATH)", "set cmd in require('ringfence').setup()" }
    )
    return nil
  end
  health.ok(('server command: %s (%s)'):format(table.concat(cfg.cmd, ' '), vim.fn.exepath(exe)))
  local cli = rf_client.cli()
  local res, err = run(vim.list_extend(vim.deepcopy(cli), { '--version' }))
  if res and res.code == 0 then
    health.ok(('version: %s'):format(vim.trim(res.stdout ~= '' and res.stdout or res.stderr)))
  else
    health.error(('`%s --version` failed: %s'):format(table.concat(cli, ' '), err or vim.trim(res.stderr or '')))
  end
  return cli
end

---@param buf integer?
---@param cli string[]?
local function check_policy(buf, cli)
  health.start('ringfence: policy')
  if not buf then
    health.info('open a file of the repository, then run :checkhealth ringfence again')
    return
  end
  local path = vim.api.nvim_buf_get_name(buf)
  local root = rf_client.root(buf)
  if not root then
    health.warn(('%s is in no git repository and under no .ringfence.toml: ringfence does not attach'):format(path))
    return
  end
  local policy = vim.fs.joinpath(root, '.ringfence.toml')
  if vim.uv.fs_stat(policy) then
    health.ok(('policy found: %s'):format(policy))
  else
    local pyproject = vim.fs.joinpath(root, 'pyproject.toml')
    local text = vim.uv.fs_stat(pyproject) and table.concat(vim.fn.readfile(pyproject), '\n') or ''
    if text:find('%[tool%.ringfence%]') then
      health.ok(('policy found: [tool.ringfence] in %s'):format(pyproject))
    else
      health.warn(('no .ringfence.toml in %s: every path is open'):format(root), { 'ringfence init' })
      return
    end
  end
  if not cli then
    return
  end
  local res, err = run(vim.list_extend(vim.deepcopy(cli), { 'explain', '--json', path }), root)
  if not res then
    health.error(('cannot run ringfence explain: %s'):format(err))
  elseif res.code == 0 then
    local ok, info = pcall(vim.json.decode, vim.split(res.stdout, '\n')[1] or '')
    local level = ok and type(info) == 'table' and info.level or '?'
    health.ok(('policy valid; %s is %s'):format(vim.fn.fnamemodify(path, ':.'), level))
  else
    health.error(('policy invalid:\n%s'):format(vim.trim(res.stderr ~= '' and res.stderr or res.stdout)))
  end
end

---@param buf integer?
local function check_client(buf)
  health.start('ringfence: client')
  local clients = vim.lsp.get_clients({ name = rf_client.name })
  if #clients == 0 then
    health.warn('no ringfence client is running', { "require('ringfence').setup() or vim.lsp.enable('ringfence')" })
    return
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    health.ok(
      ('client %d: %s %s, root %s, position encoding %s'):format(
        client.id,
        info.name or client.name,
        info.version or '',
        client.root_dir or '?',
        client.offset_encoding
      )
    )
  end
  if buf then
    local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':.')
    if rf_client.get(buf) then
      health.ok(('attached to %s'):format(name))
    else
      health.warn(('not attached to %s'):format(name))
    end
  end
end

---@param buf integer?
local function check_tracking(buf)
  health.start('ringfence: edit-origin tracking')
  local report = require('ringfence.config').get().report or {}
  for _, kind in ipairs({ 'paste', 'put', 'undo', 'format' }) do
    if report[kind] then
      health.ok(('reports %s'):format(kind))
    else
      health.info(('does not report %s (report.%s = false)'):format(kind, kind))
    end
  end
  if buf and rf_client.get(buf) then
    if require('ringfence.track').is_attached(buf) then
      health.ok('listening to changes of the current buffer')
    else
      health.error('not listening to changes of the current buffer')
    end
  end
  require('ringfence.integrations').install()
  for _, st in ipairs(require('ringfence.integrations').states()) do
    if st.active then
      health.ok(('%s: %s'):format(st.name, st.detail))
    else
      health.info(('%s: %s'):format(st.name, st.detail))
    end
  end
end

local function check_prevention()
  health.start('ringfence: AI suggestions held back in deny zones')
  local prevent = require('ringfence.prevent')
  local opts = require('ringfence.config').get().prevent or {}
  if opts.enabled == false then
    health.info('off (prevent.enabled = false): suggestion sources are left alone')
  else
    health.ok('on: sources are switched off in buffers whose level denies their tool (prevent.enabled)')
  end
  for _, source in ipairs(prevent.found()) do
    if not source.enabled then
      health.info(('%s: off (its integrations option is false)'):format(source.name))
    elseif source.found and source.unable then
      health.warn(('%s: found, but %s'):format(source.name, source.unable))
    elseif source.found then
      health.ok(('%s: found'):format(source.name))
    else
      health.info(('%s: not found'):format(source.name))
    end
  end
  local any = false
  for buf, held in vim.spairs(prevent.buffers()) do
    if vim.api.nvim_buf_is_valid(buf) then
      any = true
      local where = held.zone and ('%s · %s'):format(held.level, held.zone) or held.level
      local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':.')
      for _, hold in vim.spairs(held.holds) do
        health.ok(('held back in %s (%s): %s: %s'):format(name, where, hold.source, hold.detail))
      end
    end
  end
  if not any then
    health.info('nothing held back in any buffer now')
  end
end

function M.check()
  local buf = target_buffer()
  check_neovim()
  local cli = check_server()
  check_policy(buf, cli)
  check_client(buf)
  check_tracking(buf)
  check_prevention()
end

return M
