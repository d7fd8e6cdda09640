--- Range bookkeeping for edit-origin capture (pure: no LSP, no buffer state besides reading lines).
---
--- Positions are 0-based `(row, byte column)` pairs as `nvim_buf_attach` `on_bytes` reports them.
--- A change recorded early in a capture is moved through every later change, so that at the end
--- every range is in the coordinates of the final buffer, the version the server is told about.

local M = {}

---@class ringfence.Range
---@field [1] integer start row
---@field [2] integer start byte column
---@field [3] integer end row
---@field [4] integer end byte column (exclusive)

---@class ringfence.Change one `on_bytes` event
---@field sr integer start row
---@field sc integer start byte column
---@field oer integer old end row, relative to `sr`
---@field oec integer old end column (relative to `sc` when `oer == 0`)
---@field ner integer new end row, relative to `sr`
---@field nec integer new end column (relative to `sc` when `ner == 0`)

---@param ar integer
---@param ac integer
---@param br integer
---@param bc integer
---@return boolean
local function before(ar, ac, br, bc)
  return ar < br or (ar == br and ac < bc)
end

---@param ch ringfence.Change
---@return integer, integer, integer, integer old end row/col, new end row/col (absolute)
local function ends(ch)
  local oe_r, ne_r = ch.sr + ch.oer, ch.sr + ch.ner
  local oe_c = ch.oer == 0 and ch.sc + ch.oec or ch.oec
  local ne_c = ch.ner == 0 and ch.sc + ch.nec or ch.nec
  return oe_r, oe_c, ne_r, ne_c
end

--- Moves one position through a change. Text inserted exactly at an end position stays outside
--- the range (ends keep left gravity); a position inside replaced text moves to the change start.
---@param row integer
---@param col integer
---@param ch ringfence.Change
---@param is_end boolean
---@return integer, integer
function M.move(row, col, ch, is_end)
  if before(row, col, ch.sr, ch.sc) or (is_end and row == ch.sr and col == ch.sc) then
    return row, col
  end
  local oe_r, oe_c, ne_r, ne_c = ends(ch)
  if before(row, col, oe_r, oe_c) then
    return ch.sr, ch.sc
  end
  if row == oe_r then
    return ne_r, ne_c + (col - oe_c)
  end
  return row + (ne_r - oe_r), col
end

--- Moves every range of `list` through `ch`, in place.
---@param list ringfence.Range[]
---@param ch ringfence.Change
function M.move_all(list, ch)
  for _, r in ipairs(list) do
    r[1], r[2] = M.move(r[1], r[2], ch, false)
    r[3], r[4] = M.move(r[3], r[4], ch, true)
    if before(r[3], r[4], r[1], r[2]) then
      r[3], r[4] = r[1], r[2]
    end
  end
end

--- The text a change wrote, as a range in the buffer right after the change.
---@param ch ringfence.Change
---@return ringfence.Range
function M.written(ch)
  local _, _, ne_r, ne_c = ends(ch)
  return { ch.sr, ch.sc, ne_r, ne_c }
end

---@param r ringfence.Range
---@return boolean
function M.is_empty(r)
  return r[1] == r[3] and r[2] == r[4]
end

--- Sorted, merged copy of `list`: overlapping or touching ranges become one. Empty ranges (pure
--- deletions) are kept only when nothing else was written, so a deletion-only edit still has a place.
---@param list ringfence.Range[]
---@return ringfence.Range[]
function M.merge(list)
  local sorted = {} ---@type ringfence.Range[]
  local written = vim.iter(list):any(function(r)
    return not M.is_empty(r)
  end)
  for _, r in ipairs(list) do
    if not (written and M.is_empty(r)) then
      sorted[#sorted + 1] = { r[1], r[2], r[3], r[4] }
    end
  end
  table.sort(sorted, function(a, b)
    return before(a[1], a[2], b[1], b[2])
  end)
  local out = {} ---@type ringfence.Range[]
  for _, r in ipairs(sorted) do
    local last = out[#out]
    if last and not before(last[3], last[4], r[1], r[2]) then
      if before(last[3], last[4], r[3], r[4]) then
        last[3], last[4] = r[3], r[4]
      end
    else
      out[#out + 1] = r
    end
  end
  return out
end

--- The one range that covers every range of a non-empty `list`.
---@param list ringfence.Range[]
---@return ringfence.Range
function M.cover(list)
  local out = { list[1][1], list[1][2], list[1][3], list[1][4] }
  for _, r in ipairs(list) do
    if before(r[1], r[2], out[1], out[2]) then
      out[1], out[2] = r[1], r[2]
    end
    if before(out[3], out[4], r[3], r[4]) then
      out[3], out[4] = r[3], r[4]
    end
  end
  return out
end

--- Lines and characters a set of ranges holds, to compare with the heuristic's thresholds.
---@param buf integer
---@param list ringfence.Range[]
---@return integer lines, integer chars, string text
function M.measure(buf, list)
  local lines, chars, parts = 0, 0, {} ---@type integer, integer, string[]
  local count = vim.api.nvim_buf_line_count(buf)
  for _, r in ipairs(list) do
    -- a range may end after the last line (lines appended at the end): stop at its newline
    local er, ec, tail = r[3], r[4], ''
    if er >= count then
      er, tail = count - 1, '\n'
      ec = #(vim.api.nvim_buf_get_lines(buf, er, er + 1, false)[1] or '')
    end
    local ok, text = pcall(vim.api.nvim_buf_get_text, buf, r[1], r[2], er, ec, {})
    if ok then
      parts[#parts + 1] = table.concat(text, '\n') .. tail
      lines = lines + (r[3] - r[1]) + ((r[4] > 0) and 1 or 0)
      chars = chars + vim.fn.strchars(parts[#parts])
    end
  end
  return lines, chars, table.concat(parts, '\n')
end

--- An LSP position for a byte position of `buf`, in the negotiated encoding. A position past the
--- last line is the end of the document: the start of the line after the final newline when the
--- buffer writes one ('eol', as the text Neovim syncs ends), else the end of the last line.
---@param buf integer
---@param row integer
---@param col integer
---@param encoding 'utf-8'|'utf-16'|'utf-32'|string
---@return lsp.Position
function M.position(buf, row, col, encoding)
  local count = vim.api.nvim_buf_line_count(buf)
  if row >= count then
    if vim.bo[buf].eol then
      return { line = count, character = 0 }
    end
    row = count - 1
    col = math.huge
  end
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
  col = math.min(col, #line)
  if encoding ~= 'utf-8' then
    col = vim.str_utfindex(line, encoding, col, false)
  end
  return { line = row, character = col }
end

--- LSP ranges for byte ranges of `buf`.
---@param buf integer
---@param list ringfence.Range[]
---@param encoding string
---@return lsp.Range[]
function M.to_lsp(buf, list, encoding)
  return vim.tbl_map(function(r)
    return { start = M.position(buf, r[1], r[2], encoding), ['end'] = M.position(buf, r[3], r[4], encoding) }
  end, list)
end

return M
