-- Prevention: AI inline suggestions are not offered where the buffer's level denies them.
--
-- Two stand-in plugins from tests/standins sit on the runtimepath: one with copilot.lua's entry
-- points (should_attach, buf_attach/buf_detach_if_attached, vim.b.copilot_suggestion_hidden, an
-- accept keymap that applies the text) and one with copilot.vim's (b:copilot_enabled, an <expr>
-- <Tab> mapping calling copilot#Accept()); `g:loaded_codeium` stands for windsurf.vim, whose
-- b:codeium_enabled is checked (a tool other than copilot). With RINGFENCE_PREVENT=off the script
-- checks that `prevent.enabled = false` leaves them alone.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
local api = vim.api
local standins = vim.fs.joinpath(H.plugin_dir, 'tests', 'standins')
vim.opt.runtimepath:append(vim.fs.joinpath(standins, 'copilot.lua'))
vim.opt.runtimepath:append(vim.fs.joinpath(standins, 'copilot.vim'))
vim.cmd.runtime('plugin/copilot.vim')
vim.g.loaded_codeium = 1

--- windsurf.nvim and supermaven-nvim, reduced to the functions prevention uses: windsurf's
--- virtual_text.filetype_enabled(bufnr) / clear(), supermaven's config.condition() (read through its
--- config module's __index, as supermaven-nvim/config.lua does) and api.is_running/stop/start.
local windsurf = { cleared = 0 }
function windsurf.filetype_enabled()
  return true
end
function windsurf.clear()
  windsurf.cleared = windsurf.cleared + 1
end
package.loaded['codeium.virtual_text'] = windsurf
local supermaven = { running = true }
package.loaded['supermaven-nvim.api'] = {
  is_running = function()
    return supermaven.running
  end,
  stop = function()
    supermaven.running = false
  end,
  start = function()
    supermaven.running = true
  end,
}
package.loaded['supermaven-nvim.config'] = setmetatable({
  config = {
    condition = function()
      return false
    end,
  },
}, {
  __index = function(t, key)
    return rawget(t, 'config')[key]
  end,
})

--- Neovim 0.12's vim.lsp.inline_completion switch (enable / is_enabled with a bufnr filter), which
--- 0.11.4 lacks: a stand-in that records the per-buffer state.
local native = { global = true, buffers = {} } ---@type { global: boolean, buffers: table<integer, boolean> }
vim.lsp.inline_completion = {
  get = function()
    return false
  end,
  enable = function(enable, filter)
    local buf = filter and filter.bufnr
    if buf then
      native.buffers[buf] = enable ~= false
    else
      native.global = enable ~= false
    end
  end,
  is_enabled = function(filter)
    local buf = filter and filter.bufnr
    if buf and native.buffers[buf] ~= nil then
      return native.buffers[buf]
    end
    return native.global
  end,
}

local off = os.getenv('RINGFENCE_PREVENT') == 'off'

---@type { msg: string, level: integer? }[]
local notes = {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  notes[#notes + 1] = { msg = msg, level = level }
  return notify(msg, level, opts)
end

--- Notices that say suggestions were held back.
local function held_notes()
  return vim.tbl_filter(function(n)
    return n.msg:find('held back', 1, true) ~= nil
  end, notes)
end

require('copilot').setup({})
require('ringfence').setup({ prevent = { enabled = not off } })
local prevent = require('ringfence.prevent')
local copilot_client = require('copilot.client')
local suggestion = require('copilot.suggestion')

---@param keys string
local function type_keys(keys)
  api.nvim_feedkeys(vim.keycode(keys), 'mx', false)
end

---@param buf integer
---@param text string
---@return boolean
local function has_text(buf, text)
  return table.concat(api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find(text, 1, true) ~= nil
end

--- Opens `path` and waits for the client and its first explain answer.
---@param path string
---@return integer
local function open(path)
  vim.cmd.edit(path)
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client for ' .. path)
  H.wait(10000, function()
    return require('ringfence.status').get(buf) ~= nil
  end, 'explained: ' .. path)
  return buf
end

--- Accepts a copilot.lua suggestion on a new line after `row` (and checks it landed, when
--- `offered`), then a copilot.vim one on a new line after that.
---@param buf integer
---@param row integer
---@param offered boolean
local function accept_both(buf, row, offered)
  local shown = suggestion.offered[buf] or 0
  api.nvim_win_set_cursor(0, { row, 0 })
  type_keys('o<M-l><Esc>')
  if offered then
    H.wait(3000, function()
      return (suggestion.offered[buf] or 0) > shown and has_text(buf, suggestion.text)
    end, 'copilot.lua showed a suggestion and accept inserted it')
  end
  api.nvim_win_set_cursor(0, { row, 0 })
  type_keys('o<Tab><Esc>')
end

local function run_off()
  local buf = open('training/datagen/generate.py')
  H.wait(5000, function()
    return copilot_client.buf_is_attached(buf)
  end, 'prevent off: copilot.lua stays attached in a human-only file')
  accept_both(buf, 3, true)
  H.wait(5000, function()
    return has_text(buf, suggestion.text) and has_text(buf, 'copilot_vim_wrote_this')
  end, 'prevent off: both suggestions are accepted in a human-only file')
  H.eq(vim.b[buf].copilot_enabled, nil, 'prevent off: b:copilot_enabled untouched')
  H.eq(native.buffers[buf], nil, 'prevent off: inline completion untouched')
  H.eq(vim.b[buf].copilot_suggestion_hidden, nil, 'prevent off: vim.b.copilot_suggestion_hidden untouched')
  H.eq(vim.b[buf].codeium_enabled, nil, 'prevent off: b:codeium_enabled untouched')
  H.eq(windsurf.filetype_enabled(buf), true, 'prevent off: windsurf.nvim untouched')
  H.eq(supermaven.running, true, 'prevent off: supermaven keeps running')
  H.eq(require('ringfence').status(), 'human-only · training-data', 'prevent off: no held-back mark')
  H.eq(#held_notes(), 0, 'prevent off: no notice', notes)
  H.wait(10000, function()
    return #H.diagnostics(buf, 'RF001') > 0
  end, 'prevent off: the accepted suggestions are still flagged RF001')
  vim.cmd('checkhealth ringfence')
  local report = table.concat(api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  H.ok(report:find('off (prevent.enabled = false)', 1, true), 'prevent off: checkhealth says it is off', report)
  H.ok(report:find('nothing held back in any buffer now', 1, true), 'prevent off: checkhealth: nothing held', report)
end

local function run_on()
  -- the user forces copilot.vim on in this buffer: that value must come back afterwards
  local buf = vim.fn.bufadd('training/datagen/generate.py')
  vim.b[buf].copilot_enabled = true
  buf = open('training/datagen/generate.py')
  H.wait(10000, function()
    return prevent.is_held(buf)
  end, 'suggestions are held back in a human-only file')
  H.eq(vim.b[buf].copilot_suggestion_hidden, true, 'copilot.lua: vim.b.copilot_suggestion_hidden is set')
  H.eq(vim.b[buf].copilot_enabled, false, 'copilot.vim: b:copilot_enabled is v:false')
  H.eq(native.buffers[buf], false, 'Neovim 0.12 inline completion disabled for the buffer')
  H.eq(windsurf.filetype_enabled(buf), false, 'windsurf.nvim: filetype_enabled() is false for the buffer')
  H.ok(windsurf.cleared > 0, 'windsurf.nvim: the shown text was cleared')
  H.eq(require('supermaven-nvim.config').condition(), true, 'supermaven-nvim: condition() is true in the buffer')
  H.eq(supermaven.running, false, 'supermaven-nvim: stopped in the held buffer')
  H.eq(
    require('copilot.config').should_attach(buf, api.nvim_buf_get_name(buf)),
    false,
    'copilot.lua: should_attach refuses the buffer'
  )
  H.wait(5000, function()
    return (copilot_client.attempts[buf] or 0) > 0 -- its BufEnter attach has run
  end, 'copilot.lua tried to attach the buffer')
  H.ok(not copilot_client.buf_is_attached(buf), 'copilot.lua: the buffer is not attached')

  local offered = suggestion.offered[buf] or 0
  local before = #api.nvim_buf_get_lines(buf, 0, -1, false)
  accept_both(buf, 3, false)
  H.wait(3000, function()
    return #api.nvim_buf_get_lines(buf, 0, -1, false) == before + 2
  end, 'the two new lines were typed')
  H.ok(not has_text(buf, suggestion.text), 'copilot.lua suggestion is not accepted in a human-only file')
  H.ok(not has_text(buf, 'copilot_vim_wrote_this'), 'copilot.vim suggestion is not accepted in a human-only file')
  H.eq(suggestion.offered[buf] or 0, offered, 'copilot.lua offered nothing in a human-only file')
  H.eq(vim.g.copilot_standin_offered, 0, 'copilot.vim offered nothing in a human-only file')
  H.eq(#H.diagnostics(buf, 'RF001'), 0, 'nothing to flag in the human-only file', H.describe(buf))

  -- the user sees why
  H.eq(
    require('ringfence').status(),
    'human-only · training-data ⊘ai',
    'statusline shows human-only · training-data ⊘ai'
  )
  H.eq(require('ringfence').held(), '⊘ai', 'held() gives the mark for lualine')
  local explained = table.concat(require('ringfence.status').describe(require('ringfence.status').get(buf), buf), '\n')
  H.ok(
    explained:find('AI suggestions held back**: copilot.lua, copilot.vim', 1, true),
    ':Ringfence explain lists the sources held back',
    explained
  )
  local warned = held_notes()
  H.ok(
    #warned == 1
      and warned[1].level == vim.log.levels.WARN
      and warned[1].msg:find('training-data', 1, true)
      and warned[1].msg:find('human-only', 1, true)
      and warned[1].msg:find('copilot.lua', 1, true)
      and warned[1].msg:find('copilot.vim', 1, true),
    'one WARN notice names the zone and the sources',
    notes
  )

  -- an open file: nothing changes
  local app = open('app/main.py') -- its first answer has been applied
  H.ok(not prevent.is_held(app), 'nothing is held back in an open file')
  H.wait(5000, function()
    return copilot_client.buf_is_attached(app)
  end, 'copilot.lua attaches to an open file')
  H.eq(vim.b[app].copilot_enabled, nil, 'open file: b:copilot_enabled untouched')
  H.eq(windsurf.filetype_enabled(app), true, 'open file: windsurf.nvim answers as before')
  H.eq(require('supermaven-nvim.config').condition(), false, 'open file: supermaven condition() as before')
  accept_both(app, 1, true)
  H.wait(
    5000,
    function()
      return has_text(app, suggestion.text) and has_text(app, 'copilot_vim_wrote_this')
    end,
    'both suggestions are accepted in an open file',
    function()
      return api.nvim_buf_get_lines(app, 0, 5, false)
    end
  )
  H.eq(require('ringfence').status(), '', 'open file: empty statusline, no mark')

  -- an internal file names the in-house assistant as the alternative
  local serving = open('serving/model_server.py')
  local info = require('ringfence.status').get(serving)
  H.ok(
    prevent.denies(info, 'copilot') and not prevent.denies(info, 'metacode'),
    'internal file: copilot denied, the in-house metacode not (inhouseEdits)',
    info
  )
  H.wait(
    10000,
    function()
      return #held_notes() == 2
    end,
    'a second notice for the internal file',
    function()
      return notes
    end
  )
  local second = held_notes()[2]
  H.ok(
    second
      and second.msg:find('model-serving', 1, true)
      and second.msg:find(':Ringfence handoff', 1, true)
      and second.msg:find('metacode', 1, true),
    'the internal-zone notice names :Ringfence handoff and metacode',
    second
  )

  -- back in the human-only file: no second notice
  local last = require('ringfence.status').get(buf)
  vim.cmd.buffer(buf)
  H.wait(10000, function()
    return require('ringfence.status').get(buf) ~= last -- BufEnter asked again and got an answer
  end, 'a new answer after entering the held buffer')
  H.eq(#held_notes(), 2, 'entering the held buffer again does not notify again')

  -- :checkhealth lists the sources and what was done
  vim.cmd('checkhealth ringfence')
  local report = table.concat(api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  H.ok(report:find('copilot.lua: found', 1, true), 'checkhealth: copilot.lua found', report)
  H.ok(report:find('copilot.vim: found', 1, true), 'checkhealth: copilot.vim found', report)
  H.ok(report:find('supermaven-nvim: found', 1, true), 'checkhealth: supermaven-nvim found', report)
  H.ok(
    report:find('vim.lsp.inline_completion: enable(false, { bufnr = ' .. buf .. ' }) (was on)', 1, true),
    'checkhealth: what was done to the native inline completion',
    report
  )
  H.ok(
    report:find(
      'held back in training/datagen/generate.py (human-only · training-data): copilot.vim: b:copilot_enabled = false',
      1,
      true
    ),
    'checkhealth lists what was done in the human-only buffer',
    report
  )
  vim.cmd.bwipeout()
  vim.cmd.buffer(buf)

  -- rename into and out of a deny zone
  local scratch = open('app/scratch.py')
  H.ok(not prevent.is_held(scratch), 'a new open file is not held')
  vim.lsp.inline_completion.enable(false, { bufnr = scratch }) -- the user's own choice
  vim.cmd('silent saveas evals/scratch.py')
  H.wait(10000, function()
    return prevent.is_held(scratch)
  end, ':saveas into a human-only zone holds suggestions back')
  vim.cmd('silent file app/renamed.py')
  H.wait(10000, function()
    return not prevent.is_held(scratch)
  end, 'renaming out of the zone gives them back')
  H.eq(vim.b[scratch].copilot_enabled, nil, 'after the rename: b:copilot_enabled unset again')
  H.eq(native.buffers[scratch], false, 'after the rename: inline completion stays off as the user had it')
  H.wait(5000, function()
    return copilot_client.buf_is_attached(scratch)
  end, 'after the rename: copilot.lua attached again')

  -- a policy edit that opens the zone gives the suggestions back
  vim.cmd.edit('.ringfence.toml')
  local policy = api.nvim_get_current_buf()
  local lines = api.nvim_buf_get_lines(policy, 0, -1, false)
  local opened, approved = false, false
  for i, line in ipairs(lines) do
    if line == 'level = "human-only"' and not opened then
      lines[i], opened = 'level = "open"', true
    elseif line == 'owner = "@platform-security"' then
      lines[i], approved = line .. '\ntools.level = { copilot = "open" }', true
    end
  end
  assert(opened and approved, 'demo policy changed: cannot edit it')
  lines = vim.split(table.concat(lines, '\n'), '\n')
  api.nvim_buf_set_lines(policy, 0, -1, false, lines)
  vim.cmd('silent write')
  H.wait(10000, function()
    return not prevent.is_held(buf)
  end, 'after the policy makes the file open, nothing is held back')
  H.eq(vim.b[buf].copilot_enabled, true, "copilot.vim: the user's b:copilot_enabled = v:true is back")
  H.eq(vim.b[buf].copilot_suggestion_hidden, nil, 'copilot.lua: vim.b.copilot_suggestion_hidden unset again')
  H.eq(native.buffers[buf], true, 'Neovim 0.12 inline completion enabled again')
  vim.cmd.buffer(buf)
  H.wait(5000, function()
    return copilot_client.buf_is_attached(buf)
  end, 'copilot.lua attached again')
  H.eq(require('ringfence').status(), '', 'statusline: no mark once the file is open')
  accept_both(buf, 1, true)
  H.wait(5000, function()
    return has_text(buf, suggestion.text) and has_text(buf, 'copilot_vim_wrote_this')
  end, 'suggestions come back after the policy edit')

  -- the same edit approved copilot (only) in model-serving: windsurf stays held back there
  H.wait(10000, function()
    return vim.b[serving].copilot_enabled == nil and vim.b[serving].copilot_suggestion_hidden == nil
  end, 'copilot approved in model-serving: copilot.lua and copilot.vim given back there')
  H.eq(vim.b[serving].codeium_enabled, false, 'windsurf.vim still held back in model-serving')
  H.eq(require('ringfence').status(serving), 'internal · model-serving ⊘ai', 'model-serving keeps the mark')

  -- and the server judges each accepted edit by its own tool there: Copilot's passes, Claude Code's is RF001
  vim.cmd.buffer(serving)
  local function insert_as(tool, row, text)
    require('ringfence').track_ai(function()
      api.nvim_buf_set_lines(serving, row, row, false, { text, text .. '_again = 2' })
    end, { tool = tool, kind = 'inline-completion' })
  end
  insert_as('copilot', 2, 'approved_copilot = 1')
  insert_as('claude-code', 6, 'unapproved_claude = 1')
  local function flagged_lines()
    local lines, out = api.nvim_buf_get_lines(serving, 0, -1, false), {}
    for _, d in ipairs(H.diagnostics(serving, 'RF001')) do
      for l = d.lnum, d.end_lnum do
        out[#out + 1] = lines[l + 1]
      end
    end
    return table.concat(out, '\n')
  end
  H.wait(
    10000,
    function()
      return flagged_lines():find('unapproved_claude', 1, true)
    end,
    'the Claude Code edit in model-serving is flagged RF001',
    function()
      return H.describe(serving)
    end
  )
  H.ok(not flagged_lines():find('approved_copilot', 1, true), 'the approved Copilot edit passes', H.describe(serving))

  -- turning the setting off at runtime gives everything back
  require('ringfence').setup({ prevent = { enabled = false } })
  H.wait(10000, function()
    return not prevent.is_held(serving)
  end, 'setup({ prevent = { enabled = false } }) at runtime gives everything back')
  H.eq(vim.b[serving].codeium_enabled, nil, 'b:codeium_enabled unset again after turning prevention off')
end

H.run(function()
  if off then
    run_off()
  else
    run_on()
  end
end)
