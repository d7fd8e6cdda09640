--- ringfence for Neovim: shows which zone a file is in, reports where edits came from (AI
--- suggestion, paste, undo, format) to the ringfence language server, and runs its region actions.
---
--- `lsp/ringfence.lua` alone is enough for `vim.lsp.enable('ringfence')`; `plugin/ringfence.lua`
--- hooks `LspAttach`, so tracking works with or without `setup()`. `setup()` adds options.

local api = vim.api
local config = require('ringfence.config')
local rf_client = require('ringfence.client')

local M = {}

---@type integer?
local last_buffer

--- Configures and (by default) enables the server, and installs edit-origin tracking.
---
--- ```lua
--- require('ringfence').setup({
---   cmd = { 'ringfence', 'lsp' },
---   settings = { heuristics = { minLines = 5 }, history = { enabled = false } },
--- })
--- ```
---@param opts? ringfence.Opts
function M.setup(opts)
  config.set(opts)
  local c = config.get()
  local lsp = {} ---@type vim.lsp.Config
  if c.cmd then
    lsp.cmd = c.cmd
  end
  if c.settings and next(c.settings) then
    lsp.settings = { ringfence = c.settings }
    lsp.init_options = { ringfence = c.settings }
  end
  if next(lsp) then
    vim.lsp.config(rf_client.name, lsp)
  end
  -- running servers get the new settings at once
  for _, client in ipairs(lsp.settings and vim.lsp.get_clients({ name = rf_client.name }) or {}) do
    client.settings = vim.tbl_deep_extend('force', client.settings or {}, lsp.settings)
    client:notify('workspace/didChangeConfiguration', { settings = client.settings })
  end
  if c.enable then
    vim.lsp.enable(rf_client.name)
  end
  require('ringfence.integrations').watch()
  require('ringfence.status').refresh_all() -- `prevent` may have changed
end

--- Called on `LspAttach` of the ringfence client (from `plugin/ringfence.lua`).
---@param client vim.lsp.Client
---@param buf integer
function M.attach(client, buf)
  if client.name ~= rf_client.name then
    return
  end
  require('ringfence.track').attach(buf)
  require('ringfence.integrations').watch()
  require('ringfence.status').refresh(buf)
end

---@class ringfence.TrackOpts
---@field tool? string tool id: `copilot`, `claude-code`, `windsurf`, an in-house assistant's name, ... (default `unknown`)
---@field model? string model id, e.g. `gpt-4.1`
---@field kind? 'inline-completion'|'chat-edit'|'agent'
---@field bufnr? integer buffer to start listening to if not yet (default: current)
---@field defer? boolean also capture changes made by callbacks `fn` schedules with `vim.schedule()`

--- Runs `fn(...)`, which applies an AI suggestion, and reports exactly the text it changed as an
--- AI edit (`ringfence/editOrigin` with `origin = 'ai'`). Returns what `fn` returns; errors propagate.
---
--- ```lua
--- require('ringfence').track_ai(function()
---   vim.api.nvim_buf_set_lines(0, row, row, false, suggestion_lines)
--- end, { tool = 'copilot', kind = 'inline-completion' })
--- ```
---@param fn function
---@param opts? ringfence.TrackOpts
---@return any ...
function M.track_ai(fn, opts, ...)
  opts = opts or {}
  return M.track(fn, {
    origin = 'ai',
    tool = opts.tool or 'unknown',
    model = opts.model,
    kind = opts.kind,
    bufnr = opts.bufnr,
    defer = opts.defer,
  }, ...)
end

---@class ringfence.TrackAnyOpts : ringfence.TrackOpts
---@field origin 'ai'|'paste'|'undo'|'format'|'human'

--- Like |ringfence.track_ai()| for any origin: `paste`, `undo`, `format` and `human` withdraw the
--- server's heuristic guess for the text `fn` writes.
---@param fn function
---@param opts ringfence.TrackAnyOpts
---@return any ...
function M.track(fn, opts, ...)
  vim.validate('fn', fn, 'callable')
  vim.validate('opts', opts, 'table')
  local buf = (opts.bufnr == nil or opts.bufnr == 0) and api.nvim_get_current_buf() or opts.bufnr
  if rf_client.get(buf) then
    require('ringfence.track').attach(buf)
  end
  local origin = { origin = opts.origin, tool = opts.tool, model = opts.model, kind = opts.kind }
  return require('ringfence.track').run(origin, fn, opts.defer == true, ...)
end

--- Wraps `tbl[field]` (an AI plugin's accept function) so that every call is reported like
--- |ringfence.track_ai()|; keymaps bound to the original function are re-pointed to the wrapper.
---
--- ```lua
--- require('ringfence').wrap(require('my_ai.suggest'), 'accept', { tool = 'my-ai' })
--- ```
---@param tbl table
---@param field string
---@param opts? ringfence.TrackOpts
---@return boolean wrapped false when `tbl[field]` is not a function
function M.wrap(tbl, field, opts)
  opts = opts or {}
  local integrations = require('ringfence.integrations')
  local origin = { origin = 'ai', tool = opts.tool or 'unknown', model = opts.model, kind = opts.kind }
  return integrations.wrap_field(tbl, field, integrations.tracked(origin, opts.defer == true))
end

--- Wraps an expression-mapping function that returns keys applying an AI suggestion (as
--- copilot.vim's `copilot#Accept()` does): the insertion those keys make is reported.
---
--- ```lua
--- vim.keymap.set('i', '<C-J>', require('ringfence').wrap_expr(function()
---   return vim.fn['copilot#Accept']('')
--- end, { tool = 'copilot' }, true), { expr = true, replace_keycodes = false })
--- ```
---@param fn fun(...): string
---@param opts? ringfence.TrackOpts
---@param raw? boolean `fn` returns key codes (true) rather than `<>` notation (default false)
---@return fun(...): string
function M.wrap_expr(fn, opts, raw)
  opts = opts or {}
  local origin = { origin = 'ai', tool = opts.tool or 'unknown', model = opts.model, kind = opts.kind }
  return require('ringfence.integrations').tracked_keys(origin, raw == true)(fn)
end

--- Statusline component: `human-only · training-data` for the current buffer (empty when the
--- file is open or ringfence is not attached), followed by ` ⊘ai` while AI suggestions are held
--- back there. Never blocks.
---
--- ```lua
--- vim.o.statusline = "%f %{v:lua.require'ringfence'.status()}"
--- ```
---@param bufnr? integer
---@return string
function M.status(bufnr)
  return require('ringfence.status').text(bufnr)
end

--- Only the held-back mark (`⊘ai`, option `status.held`) of the current buffer, else ''. For a
--- statusline plugin that shows it as its own component:
---
--- ```lua
--- require('lualine').setup({ sections = { lualine_x = {
---   { require('ringfence').held, cond = require('ringfence').is_held, color = 'WarningMsg' },
--- } } })
--- ```
---@param bufnr? integer
---@return string
function M.held(bufnr)
  return require('ringfence.status').held(bufnr)
end

--- Whether AI suggestions are held back in the current (or given) buffer.
---@param bufnr? integer
---@return boolean
function M.is_held(bufnr)
  return require('ringfence.prevent').is_held(bufnr)
end

--- Asks the server why the current (or given) buffer has its level (`ringfence/explain`).
---@param bufnr? integer
---@param callback fun(err: string?, info: ringfence.Explain?)
function M.explain(bufnr, callback)
  local buf = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  require('ringfence.status').request(buf, callback)
end

--- Runs a region action on the ringfence diagnostic under the cursor: `tag`, `revert`,
--- `handoff`, `review`, `dismiss` or `zone` (as `:Ringfence {name}`).
---@param name 'tag'|'revert'|'handoff'|'review'|'dismiss'|'zone'
---@param callback? fun(err: string?, title: string?)
function M.action(name, callback)
  require('ringfence.commands').region(name, callback)
end

---@private
---@param buf integer
function M._entered(buf)
  if vim.bo[buf].buftype == '' and api.nvim_buf_get_name(buf) ~= '' then
    last_buffer = buf
  end
end

--- The last file buffer entered (for `:checkhealth ringfence`, which opens its own buffer).
---@return integer?
function M.last_buffer()
  return last_buffer
end

return M
