-- An invalid policy (no good one loaded before): the server fails closed, the statusline says so,
-- and :checkhealth ringfence reports the error with its location.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
local api = vim.api

H.run(function()
  vim.cmd.edit('app/main.py')
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client')
  H.wait(
    10000,
    function()
      return require('ringfence').status() == 'internal · policy error'
    end,
    'statusline shows internal · policy error',
    function()
      return { status = require('ringfence').status(), explain = require('ringfence.status').get(buf) }
    end
  )
  vim.cmd('checkhealth ringfence')
  local report = table.concat(api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  H.ok(report:find('ERROR policy invalid', 1, true), 'checkhealth reports the invalid policy', report)
  H.ok(report:find('.ringfence.toml:', 1, true), 'checkhealth names the file and line', report)
end)
