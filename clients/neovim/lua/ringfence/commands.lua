--- `:Ringfence {subcommand}`: explain the current file, act on the AI region under the cursor, export.
---
--- Region subcommands ask the server for the code actions of the ringfence diagnostic under the
--- cursor and run the one whose command matches, so the server's own conditions apply (for example
--- `Revert AI edit` is offered only while the earlier text is known); the clients never register
--- the `ringfence.*` command ids themselves (docs/protocol.md, "Commands").

local api = vim.api
local rf_client = require('ringfence.client')
local status = require('ringfence.status')

local M = {}

---@class ringfence.RegionAction
---@field command string server command id
---@field title string code action title prefix (docs/protocol.md, "Code actions")
---@field codes? table<string, true> diagnostic codes the action is offered on (nil: any)

---@type table<string, ringfence.RegionAction>
M.region_actions = {
  tag = {
    command = 'ringfence.tagProvenance',
    title = 'Tag provenance',
    codes = { RF001 = true, RF002 = true, RF003 = true, RF005 = true },
  },
  revert = {
    command = 'ringfence.revert',
    title = 'Revert AI edit',
    codes = { RF001 = true, RF002 = true, RF003 = true, RF005 = true },
  },
  handoff = { command = 'ringfence.handoff', title = 'Move to', codes = { RF001 = true, RF002 = true, RF005 = true } },
  review = { command = 'ringfence.markReviewed', title = 'Mark as human-reviewed', codes = { RF002 = true } },
  dismiss = { command = 'ringfence.dismissHeuristic', title = 'Not AI: I wrote this', codes = { RF005 = true } },
  zone = { command = 'ringfence.openZone', title = 'Open zone definition' },
}

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = 'ringfence' })
end

--- The ringfence diagnostic under the cursor that `action` applies to: on the cursor line, the one
--- containing the cursor column first.
---@param buf integer
---@param action ringfence.RegionAction
---@return vim.Diagnostic?
function M.diagnostic_at_cursor(buf, action)
  local row, col = unpack(api.nvim_win_get_cursor(0))
  row = row - 1
  local best ---@type vim.Diagnostic?
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code and tostring(d.code)
    local covers = d.lnum <= row and row <= (d.end_lnum or d.lnum)
    if d.source == 'ringfence' and covers and (not action.codes or (code and action.codes[code])) then
      local on_col = (d.lnum < row or d.col <= col) and (row < (d.end_lnum or d.lnum) or col <= (d.end_col or d.col))
      if on_col then
        return d
      end
      best = best or d
    end
  end
  return best
end

---@param action lsp.Command|lsp.CodeAction
---@return lsp.Command?
local function command_of(action)
  if type(action.command) == 'string' then
    return action --[[@as lsp.Command]]
  end
  return action.command --[[@as lsp.Command?]]
end

---@param client vim.lsp.Client
---@param buf integer
---@param action lsp.Command|lsp.CodeAction
---@param done fun(err: string?)
local function apply(client, buf, action, done)
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local cmd = command_of(action)
  if not cmd then
    return done(nil)
  end
  client:exec_cmd(cmd, { bufnr = buf }, function(err)
    done(err and (err.message or tostring(err)) or nil)
  end)
end

--- Runs a region action (`tag`, `revert`, `handoff`, `review`, `dismiss`, `zone`) on the
--- ringfence diagnostic under the cursor. `callback(err, title)` runs when the server has answered.
---@param name string
---@param callback? fun(err: string?, title: string?)
function M.region(name, callback)
  local action = assert(M.region_actions[name], 'unknown region action ' .. name)
  local buf = api.nvim_get_current_buf()
  local function finish(err, title)
    if err then
      notify(err, vim.log.levels.WARN)
    end
    if callback then
      callback(err, title)
    end
  end
  local client = rf_client.get(buf)
  if not client then
    return finish('ringfence is not attached to this buffer (see :checkhealth ringfence)')
  end
  local diag = M.diagnostic_at_cursor(buf, action)
  local lsp_diag = diag and vim.tbl_get(diag, 'user_data', 'lsp')
  if not lsp_diag then
    return finish(('no ringfence diagnostic under the cursor that "%s" applies to'):format(action.title))
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }
  client:request('textDocument/codeAction', params, function(err, actions)
    if err then
      return finish(err.message or tostring(err))
    end
    local titles = {} ---@type string[]
    for _, candidate in ipairs(actions or {}) do
      local cmd = command_of(candidate)
      if cmd and cmd.command == action.command then
        return apply(client, buf, candidate, function(exec_err)
          finish(exec_err, candidate.title)
        end)
      end
      titles[#titles + 1] = candidate.title
    end
    finish(
      ('ringfence offers no "%s" action here (offered: %s)'):format(
        action.title,
        #titles > 0 and table.concat(titles, '; ') or 'none'
      )
    )
  end, buf)
end

--- Shows why the current file has its level, in a floating window.
---@param callback? fun(err: string?, info: ringfence.Explain?)
function M.explain(callback)
  local buf = api.nvim_get_current_buf()
  status.request(buf, function(err, info)
    if err or not info then
      notify(err or 'no answer from the server', vim.log.levels.WARN)
    else
      vim.lsp.util.open_floating_preview(status.describe(info, buf), 'markdown', {
        border = 'rounded',
        focus_id = 'ringfence.explain',
      })
    end
    if callback then
      callback(err, info)
    end
  end)
end

--- Runs `ringfence export ARGS…` in the repository root and reports its output.
---@param args string[]
---@param callback? fun(result: vim.SystemCompleted)
function M.export(args, callback)
  local cmd = rf_client.cli()
  vim.list_extend(cmd, { 'export' })
  vim.list_extend(cmd, args)
  local root = rf_client.root(api.nvim_get_current_buf()) or vim.uv.cwd()
  local ok, err = pcall(vim.system, cmd, { cwd = root, text = true }, function(res)
    vim.schedule(function()
      local out = vim.trim((res.stdout or '') .. '\n' .. (res.stderr or ''))
      local levels = { [0] = vim.log.levels.INFO, [1] = vim.log.levels.WARN }
      notify(
        out ~= '' and out or ('ringfence export: exit %d'):format(res.code),
        levels[res.code] or vim.log.levels.ERROR
      )
      if callback then
        callback(res)
      end
    end)
  end)
  if not ok then
    notify(('cannot run %s: %s'):format(table.concat(cmd, ' '), err), vim.log.levels.ERROR)
  end
end

--- `ringfence export --tool` names (docs/export.md, "What is written where"), for completion.
M.export_targets = {
  'all',
  'cursor',
  'gemini-code-assist',
  'jetbrains',
  'windsurf',
  'aider',
  'gemini-cli',
  'continue',
  'cline',
  'roo',
  'claude-code',
  'copilot',
}

---@type table<string, fun(args: string[])>
local subcommands = {
  explain = function()
    M.explain()
  end,
  export = function(args)
    M.export(args)
  end,
}
for name in pairs(M.region_actions) do
  subcommands[name] = function()
    M.region(name)
  end
end

--- The `:Ringfence` command.
---@param opts vim.api.keyset.create_user_command.command_args
function M.run(opts)
  local args = vim.deepcopy(opts.fargs)
  local name = table.remove(args, 1) or 'explain'
  local sub = subcommands[name]
  if not sub then
    return notify(
      ('unknown subcommand "%s" (expected one of: %s)'):format(name, table.concat(M.names(), ', ')),
      vim.log.levels.ERROR
    )
  end
  sub(args)
end

---@return string[]
function M.names()
  local names = vim.tbl_keys(subcommands)
  table.sort(names)
  return names
end

--- Command-line completion for `:Ringfence`.
---@param arglead string
---@param cmdline string
---@return string[]
function M.complete(arglead, cmdline)
  local words = vim.split(vim.trim(cmdline), '%s+')
  local candidates ---@type string[]
  if #words <= 1 or (#words == 2 and arglead ~= '') then
    candidates = M.names()
  elseif words[2] == 'export' then
    candidates = vim.list_extend({ '--tool', '--check' }, M.export_targets)
  else
    candidates = {}
  end
  table.sort(candidates)
  return vim.tbl_filter(function(c)
    return vim.startswith(c, arglead)
  end, candidates)
end

return M
