-- Unit tests of the pure range bookkeeping (no server).
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
local ranges = require('ringfence.ranges')

--- A change as on_bytes reports it, from absolute start/old end/new end.
local function change(sr, sc, oer_abs, oec_abs, ner_abs, nec_abs)
  return {
    sr = sr,
    sc = sc,
    oer = oer_abs - sr,
    oec = oer_abs == sr and oec_abs - sc or oec_abs,
    ner = ner_abs - sr,
    nec = ner_abs == sr and nec_abs - sc or nec_abs,
  }
end

H.run(function()
  -- positions before a change stay; after it they shift by the lines and columns it added
  H.eq({ ranges.move(1, 4, change(2, 0, 2, 0, 5, 0), false) }, { 1, 4 }, 'position before a change stays')
  H.eq({ ranges.move(6, 2, change(2, 0, 2, 0, 5, 0), false) }, { 9, 2 }, 'lines inserted above shift a position down')
  H.eq({ ranges.move(2, 7, change(2, 3, 2, 5, 2, 3), false) }, { 2, 5 }, 'a deletion on the same line shifts left')
  H.eq(
    { ranges.move(2, 7, change(2, 3, 2, 3, 4, 1), false) },
    { 4, 5 },
    'a multi-line insertion moves the rest of the line'
  )
  H.eq(
    { ranges.move(3, 1, change(2, 0, 5, 0, 2, 0), false) },
    { 2, 0 },
    'a position inside deleted text moves to its start'
  )
  -- gravity at the insertion point: starts move right, ends stay
  H.eq({ ranges.move(2, 3, change(2, 3, 2, 3, 2, 6), false) }, { 2, 6 }, 'start at the insertion point moves after it')
  H.eq({ ranges.move(2, 3, change(2, 3, 2, 3, 2, 6), true) }, { 2, 3 }, 'end at the insertion point stays')

  -- a capture of two changes: the first range follows the second change
  local list = {}
  local c1 = change(10, 0, 10, 0, 13, 0) -- three lines inserted at row 10
  ranges.move_all(list, c1)
  list[#list + 1] = ranges.written(c1)
  local c2 = change(2, 0, 2, 0, 4, 0) -- two lines inserted above
  ranges.move_all(list, c2)
  list[#list + 1] = ranges.written(c2)
  H.eq(ranges.merge(list), { { 2, 0, 4, 0 }, { 12, 0, 15, 0 } }, 'earlier ranges move through later changes')

  H.eq(
    ranges.merge({ { 5, 0, 6, 0 }, { 6, 0, 7, 2 }, { 1, 0, 1, 0 } }),
    { { 5, 0, 7, 2 } },
    'touching ranges merge; deletions drop'
  )
  H.eq(ranges.merge({ { 4, 2, 4, 2 }, { 4, 2, 4, 2 } }), { { 4, 2, 4, 2 } }, 'a deletion-only capture keeps its point')
  H.eq(
    ranges.merge({ { 3, 0, 9, 0 }, { 4, 0, 5, 0 } }),
    { { 3, 0, 9, 0 } },
    'a contained range merges into its container'
  )

  H.eq(ranges.cover({ { 4, 2, 5, 0 }, { 1, 3, 1, 9 }, { 7, 0, 9, 4 } }), { 1, 3, 9, 4 }, 'cover spans every range')

  -- encodings: byte columns become UTF-16 / UTF-32 code units
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'x = "café"  # ok', '𝄞 clef' })
  local r = { { 0, 11, 1, 5 } } -- after "café\"" on line 0 (é is 2 bytes) to after "𝄞 " (4 bytes + space) on line 1
  H.eq(
    ranges.to_lsp(buf, r, 'utf-8'),
    { { start = { line = 0, character = 11 }, ['end'] = { line = 1, character = 5 } } },
    'utf-8 keeps bytes'
  )
  H.eq(
    ranges.to_lsp(buf, r, 'utf-16'),
    { { start = { line = 0, character = 10 }, ['end'] = { line = 1, character = 3 } } },
    'utf-16 code units'
  )
  H.eq(
    ranges.to_lsp(buf, r, 'utf-32'),
    { { start = { line = 0, character = 10 }, ['end'] = { line = 1, character = 2 } } },
    'utf-32 code points'
  )
  vim.bo[buf].eol = true
  H.eq(
    ranges.position(buf, 2, 0, 'utf-16'),
    { line = 2, character = 0 },
    'past the last line is after the final newline'
  )
  vim.bo[buf].eol = false
  H.eq(
    ranges.position(buf, 2, 0, 'utf-16'),
    { line = 1, character = 7 },
    'without a final newline it is the end of the last line'
  )

  -- through a real buffer: on_bytes-fed capture equals the text written
  local track = require('ringfence.track')
  H.ok(track.inserts_text('\18\15=copilot#TextQueuedForInsertion()\r'), 'raw <C-R><C-O>= keys insert text')
  H.ok(track.inserts_text('<C-g>u<C-R><C-O>=v:lua.x()<CR>'), '<> notation keys insert text')
  H.ok(not track.inserts_text('\t'), 'a fallback <Tab> inserts no suggestion')
end)
