-- The built-in wrappers, exercised through stand-ins that apply a suggestion the way each plugin
-- does (the plugins themselves cannot be fetched here): copilot.lua applies it in a vim.schedule()
-- callback, copilot.vim and windsurf return <C-R><C-O>= keys from an <expr> mapping, supermaven
-- applies it from a keymap bound to its function at setup time. Each accept must be flagged RF001
-- with its tool in a human-only file; a fallback <Tab> must not be reported.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
local api = vim.api

--- Text each stand-in inserts after the cursor line (a full line plus two more).
local function suggestion(tag)
  return { ('def %s_one():'):format(tag), ('    return "%s"'):format(tag), '' }
end

--- copilot.lua: require('copilot.suggestion').accept applies the text in a scheduled callback,
--- and its keymap looks M.accept up at call time.
local copilot_lua = {}
function copilot_lua.accept()
  local row = api.nvim_win_get_cursor(0)[1]
  vim.schedule_wrap(function()
    vim.lsp.util.apply_text_edits({
      {
        range = { start = { line = row, character = 0 }, ['end'] = { line = row, character = 0 } },
        newText = table.concat(suggestion('copilot_lua'), '\n') .. '\n',
      },
    }, api.nvim_get_current_buf(), 'utf-8')
  end)()
end
package.loaded['copilot.suggestion'] = copilot_lua
vim.keymap.set('i', '<M-l>', function()
  require('copilot.suggestion').accept()
end)

--- copilot.vim: an autoload function returning keys; <Tab> is an <expr> <script> mapping.
local rtp = vim.fn.tempname()
vim.fn.mkdir(rtp .. '/autoload', 'p')
vim.fn.writefile({
  'let s:text = ""',
  'function! copilot#Accept(...) abort',
  '  if !get(g:, "copilot_test_visible", 0)',
  '    return "\\t"',
  '  endif',
  '  let s:text = "def copilot_vim_one():\\n    return 1\\n"',
  '  return "\\<C-R>\\<C-O>=copilot#TextQueuedForInsertion()\\<CR>"',
  'endfunction',
  'function! copilot#TextQueuedForInsertion() abort',
  '  return remove(s:, "text")',
  'endfunction',
}, rtp .. '/autoload/copilot.vim')
vim.opt.runtimepath:append(rtp)
vim.cmd([[imap <script><silent><nowait><expr> <Tab> copilot#Accept()]])

--- windsurf.nvim: require('codeium.virtual_text').accept returns <> notation keys and is bound
--- by reference at setup.
local windsurf = {}
function windsurf.get_completion_text()
  return table.concat(suggestion('windsurf'), '\n')
end
function windsurf.accept()
  return '<C-g>u<C-R><C-O>=v:lua.require("codeium.virtual_text").get_completion_text()<CR>'
end
package.loaded['codeium.virtual_text'] = windsurf
vim.keymap.set('i', '<C-g>', windsurf.accept, { silent = true, expr = true, script = true, nowait = true })

--- supermaven-nvim: on_accept_suggestion applies the text synchronously and is bound by reference.
local supermaven = {}
function supermaven.on_accept_suggestion()
  local row = api.nvim_win_get_cursor(0)[1]
  vim.lsp.util.apply_text_edits({
    {
      range = { start = { line = row, character = 0 }, ['end'] = { line = row, character = 0 } },
      newText = table.concat(suggestion('supermaven'), '\n') .. '\n',
    },
  }, api.nvim_get_current_buf(), 'utf-8')
end
package.loaded['supermaven-nvim.completion_preview'] = supermaven
vim.keymap.set('i', '<C-s>', supermaven.on_accept_suggestion, { noremap = true, silent = true })

--- Neovim 0.12's vim.lsp.inline_completion.get() (runtime/lua/vim/lsp/inline_completion.lua):
--- accepts the shown item in a vim.schedule() callback, through opts.on_accept when given, and
--- returns whether there was one. Neovim 0.11.4 has no such module, so it stands in here.
local shown ---@type { client_id: integer, row: integer, lines: string[] }?
vim.lsp.inline_completion = {
  get = function(opts)
    opts = opts or {}
    local item = shown
    if not item then
      return false
    end
    shown = nil
    vim.schedule(function()
      if opts.on_accept then
        opts.on_accept(item)
      else
        api.nvim_buf_set_text(0, item.row, 0, item.row, 0, item.lines)
      end
    end)
    return true
  end,
}

--- An in-process language server named "copilot" that offers inline completions.
local function fake_copilot(dispatchers)
  local closing = false
  return {
    request = function(method, _, callback)
      if method == 'initialize' then
        callback(nil, { capabilities = { inlineCompletionProvider = true }, serverInfo = { name = 'copilot' } })
      elseif method == 'shutdown' then
        callback(nil, vim.NIL)
      end
      return true, 1
    end,
    notify = function(method)
      if method == 'exit' then
        dispatchers.on_exit(0, 15)
      end
      return true
    end,
    is_closing = function()
      return closing
    end,
    terminate = function()
      closing = true
    end,
  }
end

require('ringfence').setup()

---@param keys string
local function type_keys(keys)
  api.nvim_feedkeys(vim.keycode(keys), 'mx', false)
end

--- Waits for an RF001 that names `tool` and covers the line holding `marker`.
local function flagged(buf, tool, marker, name)
  H.wait(
    10000,
    function()
      local lines = api.nvim_buf_get_lines(buf, 0, -1, false)
      for _, d in ipairs(H.diagnostics(buf, 'RF001')) do
        for l = d.lnum, d.end_lnum do
          if (lines[l + 1] or ''):find(marker, 1, true) and d.message:find(tool, 1, true) then
            return true
          end
        end
      end
    end,
    name,
    function()
      return { diagnostics = H.describe(buf), lines = api.nvim_buf_get_lines(buf, 0, -1, false) }
    end
  )
end

H.run(function()
  vim.cmd.edit('training/datagen/generate.py')
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client')
  vim.wait(500)

  local states = {}
  for _, st in ipairs(require('ringfence.integrations').states()) do
    states[st.name] = st
  end
  for _, name in ipairs({ 'copilot.lua', 'copilot.vim', 'windsurf.nvim', 'supermaven-nvim' }) do
    H.ok(states[name] and states[name].active, name .. ' wrapper installed', states[name])
  end

  H.ok(
    states['vim.lsp.inline_completion'] and states['vim.lsp.inline_completion'].active,
    'native inline completion wrapper installed',
    states['vim.lsp.inline_completion']
  )
  local copilot_id = vim.lsp.start(
    { name = 'copilot', cmd = fake_copilot, root_dir = vim.fn.getcwd() },
    { bufnr = buf }
  )
  H.wait(5000, function()
    local c = copilot_id and vim.lsp.get_client_by_id(copilot_id)
    return c and c.initialized
  end, 'the inline-completion server attached')

  H.eq(vim.lsp.inline_completion.get(), false, 'inline completion get() with nothing shown returns false')
  shown = { client_id = copilot_id, row = 6, lines = { 'def native_one():', '    return "native"', '' } }
  H.eq(vim.lsp.inline_completion.get(), true, 'inline completion get() accepts the shown item')
  flagged(buf, 'copilot', 'native_one', 'native inline completion accept is flagged RF001')

  shown = { client_id = copilot_id, row = 9, lines = { 'def on_accept_one():', '    return "cb"', '' } }
  vim.lsp.inline_completion.get({
    on_accept = function(item)
      api.nvim_buf_set_text(0, item.row, 0, item.row, 0, item.lines)
    end,
  })
  flagged(buf, 'copilot', 'on_accept_one', 'native inline completion on_accept is flagged RF001')
  vim.lsp.stop_client(copilot_id, true)

  api.nvim_win_set_cursor(0, { 3, 0 })
  type_keys('o<M-l><Esc>')
  flagged(buf, 'copilot', 'copilot_lua_one', 'copilot.lua accept is flagged RF001')

  vim.g.copilot_test_visible = 0
  local before = api.nvim_buf_get_lines(buf, 0, -1, false)
  local flagged_before = #H.diagnostics(buf, 'RF001')
  api.nvim_win_set_cursor(0, { 1, 0 })
  type_keys('O<Tab><Esc>')
  vim.wait(800)
  H.eq(#api.nvim_buf_get_lines(buf, 0, -1, false), #before + 1, 'copilot.vim fallback <Tab> inserts a tab line')
  H.eq(#H.diagnostics(buf, 'RF001'), flagged_before, 'a fallback <Tab> is not reported as AI', H.describe(buf))

  vim.g.copilot_test_visible = 1
  api.nvim_win_set_cursor(0, { 8, 0 })
  type_keys('o<Tab><Esc>')
  flagged(buf, 'copilot', 'copilot_vim_one', 'copilot.vim accept is flagged RF001')

  api.nvim_win_set_cursor(0, { 14, 0 })
  type_keys('o<C-g><Esc>')
  flagged(buf, 'windsurf', 'windsurf_one', 'windsurf.nvim accept is flagged RF001')

  api.nvim_win_set_cursor(0, { 20, 0 })
  type_keys('o<C-s><Esc>')
  flagged(buf, 'supermaven', 'supermaven_one', 'supermaven-nvim accept is flagged RF001')
end)
