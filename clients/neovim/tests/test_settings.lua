-- setup({ settings = … }) reaches the server: with the heuristic disabled through init_options an
-- unreported large insertion is not flagged; calling setup() again turns it back on at runtime
-- (workspace/didChangeConfiguration) and the next one is.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup({ settings = { heuristics = { enabled = false } } })
local api = vim.api

H.run(function()
  vim.cmd.edit('evals/harness.py')
  local buf = api.nvim_get_current_buf()
  local client = H.client(buf)
  assert(client, 'no client')
  H.eq(
    client.config.init_options,
    { ringfence = { heuristics = { enabled = false } } },
    'init_options carry the settings'
  )
  H.wait(10000, function()
    return require('ringfence').status() ~= ''
  end, 'server answered explain')

  local block = { 'def first():', '    return 1', '', 'def second():', '    return 2' }
  api.nvim_buf_set_lines(buf, 2, 2, false, block)
  vim.wait(1500)
  H.eq(#H.diagnostics(buf, 'RF005'), 0, 'heuristic disabled: nothing flagged', H.describe(buf))

  require('ringfence').setup({ settings = { heuristics = { enabled = true, minLines = 2 } } })
  vim.o.undolevels = vim.o.undolevels
  api.nvim_buf_set_lines(buf, 0, 0, false, { 'A = 1', 'B = 2' })
  H.wait(
    5000,
    function()
      return vim.iter(H.diagnostics(buf, 'RF005')):any(function(d)
        return d.lnum == 0
      end)
    end,
    'heuristic re-enabled with minLines = 2 at runtime: a two-line insertion is flagged',
    function()
      return H.describe(buf)
    end
  )
end)
