--- copilot.lua's `copilot.client`: buffers are attached on `BufEnter` unless `should_attach`
--- refuses them (it looks the function up in `copilot.config` at each call, as `util.should_attach`
--- does); `buf_detach_if_attached` detaches and removes the accept keymap.
local M = { attached = {}, attempts = {} } -- attempts: buf_attach calls per buffer (for the tests)

function M.buf_is_attached(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return M.attached[bufnr] == true
end

function M.buf_attach(force, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or M.buf_is_attached(bufnr) then
    return
  end
  M.attempts[bufnr] = (M.attempts[bufnr] or 0) + 1
  local config = require('copilot.config')
  if not (force or config.should_attach(bufnr, vim.api.nvim_buf_get_name(bufnr))) then
    return
  end
  M.attached[bufnr] = true
  require('copilot.suggestion').set_keymap(bufnr)
end

function M.buf_detach_if_attached(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if M.buf_is_attached(bufnr) then
    M.attached[bufnr] = nil
    require('copilot.suggestion').unset_keymap(bufnr)
  end
end

function M.setup()
  vim.api.nvim_create_autocmd('BufEnter', {
    group = vim.api.nvim_create_augroup('copilot.client', { clear = true }),
    callback = function(args)
      vim.schedule(function()
        M.buf_attach(false, args.buf)
      end)
    end,
  })
  local buf = vim.api.nvim_get_current_buf()
  vim.schedule(function()
    M.buf_attach(false, buf)
  end)
end

return M
