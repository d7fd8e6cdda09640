-- With UTF-16 positions negotiated (what VS Code-style servers default to), the editOrigin ranges
-- of an AI edit placed after multi-byte characters are in UTF-16 code units, and RF001 lands on it.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
vim.lsp.config('ringfence', { capabilities = { general = { positionEncodings = { 'utf-16' } } } })
local api = vim.api

H.run(function()
  local path = 'training/datagen/names.py'
  vim.fn.writefile({ '# Handwritten names.', 'NAMES = ["naïve", "café", "𝄞"]', 'COUNT = 3' }, path)
  vim.cmd.edit(path)
  local buf = api.nvim_get_current_buf()
  local client = H.client(buf)
  assert(client, 'no client')
  H.eq(client.offset_encoding, 'utf-16', 'client negotiated utf-16')

  local sent = {}
  local notify = client.notify
  client.notify = function(self, method, params)
    if method == 'ringfence/editOrigin' then
      sent[#sent + 1] = vim.deepcopy(params)
    end
    return notify(self, method, params)
  end

  -- insert ', "zoë"]' and a new line before the closing bracket: byte 34, UTF-16 unit 30
  local line = api.nvim_buf_get_lines(buf, 1, 2, false)[1]
  local col = #line - 1
  require('ringfence').track_ai(function()
    api.nvim_buf_set_text(buf, 1, col, 1, col, { ', "zoë"]', 'MORE = ["ü"' })
  end, { tool = 'copilot' })
  local want = vim.str_utfindex(line, 'utf-16', col, false)
  H.eq({ col, want }, { 34, 30 }, 'the insertion point is byte 34, UTF-16 unit 30')
  H.eq(
    sent[1] and sent[1].ranges,
    { { start = { line = 1, character = 30 }, ['end'] = { line = 2, character = 11 } } },
    'editOrigin range is in UTF-16 code units'
  )
  local d
  H.wait(
    10000,
    function()
      d = H.diagnostics(buf, 'RF001')[1]
      return d
    end,
    'RF001 published',
    function()
      return H.describe(buf)
    end
  )
  H.ok(d and d.lnum == 1 and d.end_lnum == 2, 'RF001 on exactly the two edited lines', d and H.describe(buf))
end)
