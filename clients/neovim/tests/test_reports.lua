-- Paste, put, undo and redo in a human-only file are reported, so the server's heuristic (RF005)
-- does not flag them; an unreported large insertion is flagged (the control), and
-- :Ringfence dismiss withdraws such a guess.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
local api = vim.api

--- Long enough past the server's 300 ms grace for a heuristic diagnostic to show up if it would.
local SETTLE_MS = 1500

local block = {
  'def load_cases(path):',
  '    with open(path, encoding="utf-8") as handle:',
  '        return [line.strip() for line in handle if line.strip()]',
  '',
}

local function rf005_after_settling(buf)
  vim.wait(SETTLE_MS)
  return #H.diagnostics(buf, 'RF005') + #H.diagnostics(buf, 'RF001')
end

local function new_undo_step()
  vim.o.undolevels = vim.o.undolevels
end

H.run(function()
  vim.cmd.edit('evals/harness.py')
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client')
  H.wait(10000, function()
    return require('ringfence').status():find('human-only', 1, true)
  end, 'evals/harness.py is human-only')
  local original = api.nvim_buf_get_lines(buf, 0, -1, false)

  -- control: the same text inserted without any report is a possible AI edit
  new_undo_step()
  api.nvim_buf_set_lines(buf, 2, 2, false, block)
  H.wait(
    5000,
    function()
      return #H.diagnostics(buf, 'RF005') == 1
    end,
    'an unreported large insertion is flagged RF005',
    function()
      return H.describe(buf)
    end
  )

  -- undo removes it; redo puts it back and is reported as undo
  vim.cmd('silent undo')
  H.eq(api.nvim_buf_get_lines(buf, 0, -1, false), original, 'undo restores the text')
  H.wait(5000, function()
    return #H.diagnostics(buf, 'RF005') == 0
  end, 'RF005 gone with its text')
  vim.cmd('silent redo')
  H.eq(#api.nvim_buf_get_lines(buf, 0, -1, false), #original + #block, 'redo re-inserts the block')
  H.eq(rf005_after_settling(buf), 0, 'redo is not flagged', H.describe(buf))
  vim.cmd('silent undo')
  H.eq(rf005_after_settling(buf), 0, 'undo is not flagged', H.describe(buf))

  -- bracketed paste (vim.paste) in normal mode
  new_undo_step()
  api.nvim_win_set_cursor(0, { 2, 0 })
  vim.paste(vim.list_extend(vim.deepcopy(block), { '' }), -1)
  H.ok(#api.nvim_buf_get_lines(buf, 0, -1, false) > #original + 3, 'vim.paste inserted the lines')
  H.eq(rf005_after_settling(buf), 0, 'vim.paste is not flagged', H.describe(buf))

  -- yank lines and put them elsewhere
  new_undo_step()
  vim.cmd('silent 1,5yank')
  api.nvim_win_set_cursor(0, { api.nvim_buf_line_count(buf), 0 })
  vim.cmd('silent normal! p')
  H.eq(rf005_after_settling(buf), 0, 'a put of yanked lines is not flagged', H.describe(buf))

  -- formatting through vim.lsp.buf.format() (an in-process formatter that adds a docstring)
  new_undo_step()
  local fmt = vim.lsp.start({
    name = 'fmt',
    root_dir = vim.fn.getcwd(),
    cmd = function(dispatchers)
      return {
        request = function(method, _, callback)
          if method == 'initialize' then
            callback(nil, { capabilities = { documentFormattingProvider = true } })
          elseif method == 'textDocument/formatting' then
            local text = '"""Run the eval cases.\n\nEach case is one JSON object per line;\n'
              .. 'the harness reports the pass rate.\n"""\n'
            callback(nil, {
              {
                range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
                newText = text,
              },
            })
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
          return false
        end,
        terminate = function() end,
      }
    end,
  }, { bufnr = buf })
  H.wait(5000, function()
    local c = fmt and vim.lsp.get_client_by_id(fmt)
    return c and c.initialized
  end, 'the formatter attached')
  vim.lsp.buf.format({ name = 'fmt' })
  H.eq(api.nvim_buf_get_lines(buf, 0, 1, false), { '"""Run the eval cases.' }, 'the formatter inserted a docstring')
  H.eq(rf005_after_settling(buf), 0, 'vim.lsp.buf.format is not flagged', H.describe(buf))
  vim.lsp.stop_client(fmt, true)

  -- a heuristic guess withdrawn with :Ringfence dismiss
  new_undo_step()
  local at = api.nvim_buf_line_count(buf)
  api.nvim_buf_set_lines(buf, at, at, false, { 'ANSWERS = [', '    "forty-two",', '    "forty-three",', ']' })
  H.wait(
    5000,
    function()
      return vim.iter(H.diagnostics(buf, 'RF005')):any(function(d)
        return d.lnum == at
      end)
    end,
    'a second unreported insertion is flagged RF005',
    function()
      return H.describe(buf)
    end
  )
  api.nvim_win_set_cursor(0, { at + 2, 2 })
  local done
  require('ringfence').action('dismiss', function(err, title)
    done = { err = err, title = title }
  end)
  H.wait(10000, function()
    return done
  end, ':Ringfence dismiss answered')
  H.eq(done and done.err, nil, ':Ringfence dismiss found its action')
  H.wait(
    5000,
    function()
      return #H.diagnostics(buf, 'RF005') + #H.diagnostics(buf, 'RF001') == 0
    end,
    'Not AI: I wrote this withdraws RF005',
    function()
      return H.describe(buf)
    end
  )
end)
