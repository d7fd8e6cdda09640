--- copilot.lua's `copilot.suggestion`: in insert mode an attached buffer shows a suggestion (an
--- extmark) unless `vim.b.copilot_suggestion_hidden`; `accept()` applies the shown one in a
--- `vim.schedule()` callback through `vim.lsp.util.apply_text_edits`; the accept key passes
--- through when nothing is visible.
local M = { offered = {} } ---@type { offered: table<integer, integer> }

local ns = vim.api.nvim_create_namespace('copilot-standin')
M.text = 'copilot_lua_wrote_this = True'

---@type table<integer, { row: integer, col: integer }> shown suggestion per buffer
local shown = {}

local function visible_in(buf)
  return require('copilot.client').buf_is_attached(buf) and not vim.b[buf].copilot_suggestion_hidden
end

function M.is_visible()
  local buf = vim.api.nvim_get_current_buf()
  return shown[buf] ~= nil and visible_in(buf)
end

local function update_preview()
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  shown[buf] = nil
  if not visible_in(buf) then -- (on InsertEnter mode() is not yet 'i')
    return
  end
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  shown[buf] = { row = row - 1, col = col }
  vim.api.nvim_buf_set_extmark(
    buf,
    ns,
    row - 1,
    col,
    { virt_text = { { M.text, 'Comment' } }, virt_text_pos = 'inline' }
  )
  M.offered[buf] = (M.offered[buf] or 0) + 1
end

function M.accept()
  local buf = vim.api.nvim_get_current_buf()
  local at = shown[buf]
  if not at or not visible_in(buf) then
    return
  end
  shown[buf] = nil
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  vim.schedule_wrap(function()
    vim.lsp.util.apply_text_edits({
      {
        range = { start = { line = at.row, character = at.col }, ['end'] = { line = at.row, character = at.col } },
        newText = M.text,
      },
    }, buf, 'utf-8')
  end)()
end

function M.set_keymap(bufnr)
  local key = require('copilot.config').suggestion.keymap.accept
  vim.keymap.set('i', key, function()
    if M.is_visible() then
      M.accept()
    else
      vim.api.nvim_feedkeys(vim.keycode(key), 'n', false) -- passthrough
    end
  end, { buffer = bufnr, desc = '[copilot] accept suggestion' })
end

function M.unset_keymap(bufnr)
  pcall(vim.keymap.del, 'i', require('copilot.config').suggestion.keymap.accept, { buffer = bufnr })
end

function M.setup()
  vim.api.nvim_create_autocmd({ 'InsertEnter', 'CursorMovedI' }, {
    group = vim.api.nvim_create_augroup('copilot.suggestion', { clear = true }),
    callback = update_preview,
  })
end

return M
