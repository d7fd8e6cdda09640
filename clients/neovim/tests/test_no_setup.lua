-- Without setup(): the plugin on the runtimepath plus vim.lsp.enable('ringfence') (lsp/ringfence.lua
-- alone configures the server) still tracks edit origins, and an AI plugin loaded after the client
-- attached (as lazy.nvim does on InsertEnter) is wrapped before its first accept.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
vim.lsp.enable('ringfence')
local api = vim.api

H.run(function()
  vim.cmd.edit('evals/harness.py')
  local buf = api.nvim_get_current_buf()
  local client = H.client(buf)
  assert(client, 'no client')
  H.eq(client.config.cmd, { 'ringfence', 'lsp' }, 'lsp/ringfence.lua provides the command')
  H.eq(client.root_dir, vim.env.RINGFENCE_TEST_ROOT, 'the root is the git top level')
  H.wait(10000, function()
    return require('ringfence').status() == 'human-only · training-data'
  end, 'statusline works without setup()')

  api.nvim_win_set_cursor(0, { 2, 0 })
  vim.paste({ 'def a():', '    return 1', '', 'def b():', '    return 2', '' }, -1)
  vim.wait(1500)
  H.eq(#H.diagnostics(buf), 0, 'vim.paste is reported without setup()', H.describe(buf))

  -- a copilot.lua-like plugin loaded only now; its accept applies the text in a scheduled callback
  package.loaded['copilot.suggestion'] = {
    accept = function()
      local row = api.nvim_win_get_cursor(0)[1]
      vim.schedule(function()
        api.nvim_buf_set_lines(0, row, row, false, { 'def late_one():', '    return "late"', '' })
      end)
    end,
  }
  vim.keymap.set('i', '<M-l>', function()
    require('copilot.suggestion').accept()
  end)
  api.nvim_win_set_cursor(0, { 1, 0 })
  api.nvim_feedkeys(vim.keycode('o<M-l><Esc>'), 'mx', false)
  H.wait(
    10000,
    function()
      return vim.iter(H.diagnostics(buf, 'RF001')):any(function(d)
        return d.message:find('copilot', 1, true) ~= nil
      end)
    end,
    'a plugin loaded after attach is wrapped on InsertEnter',
    function()
      return H.describe(buf)
    end
  )
end)
