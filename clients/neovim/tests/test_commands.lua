-- :checkhealth ringfence, :Ringfence completion, explain and export.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
local api = vim.api

local notes = {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  notes[#notes + 1] = { msg = msg, level = level }
  return notify(msg, level, opts)
end

H.run(function()
  vim.cmd.edit('serving/model_server.py')
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client')
  H.wait(
    10000,
    function()
      return require('ringfence').status() == 'internal · model-serving'
    end,
    'statusline shows internal · model-serving',
    function()
      return require('ringfence').status()
    end
  )

  -- completion of subcommands
  local subs = vim.fn.getcompletion('Ringfence ', 'cmdline')
  local want = { 'explain', 'export', 'handoff', 'review', 'revert', 'tag' }
  H.ok(
    vim.iter(want):all(function(s)
      return vim.tbl_contains(subs, s)
    end),
    ':Ringfence completes its subcommands',
    subs
  )
  H.eq(vim.fn.getcompletion('Ringfence ex', 'cmdline'), { 'explain', 'export' }, ':Ringfence completes a prefix')
  H.ok(vim.tbl_contains(vim.fn.getcompletion('Ringfence export --', 'cmdline'), '--check'), 'export flags complete')

  -- explain in a floating window
  vim.cmd('Ringfence explain')
  local float_text
  H.wait(
    10000,
    function()
      for _, win in ipairs(api.nvim_list_wins()) do
        if api.nvim_win_get_config(win).relative ~= '' then
          float_text = table.concat(api.nvim_buf_get_lines(api.nvim_win_get_buf(win), 0, -1, false), '\n')
          return float_text:find('model-serving', 1, true)
        end
      end
    end,
    ':Ringfence explain opens a float naming the zone',
    function()
      return float_text
    end
  )
  H.ok(float_text and float_text:find('@platform-security', 1, true), 'explain shows the owner', float_text)
  H.ok(float_text and float_text:find('.ringfence.toml:', 1, true), 'explain shows the rule', float_text)

  -- region actions need a diagnostic under the cursor
  local before = #notes
  local answer
  require('ringfence').action('revert', function(err)
    answer = err
  end)
  H.ok(answer and answer:find('no ringfence diagnostic', 1, true), 'revert without a region says why', answer)
  H.ok(#notes > before, 'the reason is shown with vim.notify')

  local ok_cmd, cmd_err = pcall(vim.cmd, 'Ringfence frobnicate')
  H.ok(
    not ok_cmd and tostring(cmd_err):find('unknown subcommand "frobnicate"', 1, true),
    'an unknown subcommand fails',
    cmd_err
  )

  -- export through the CLI
  local finished
  require('ringfence.commands').export({ '--tool', 'cursor' }, function(res)
    finished = res
  end)
  H.wait(30000, function()
    return finished
  end, ':Ringfence export finished')
  H.eq(finished and finished.code, 0, ':Ringfence export exits 0', finished)
  local ignore = vim.fs.joinpath(vim.env.RINGFENCE_TEST_ROOT, '.cursorignore')
  local text = table.concat(vim.fn.filereadable(ignore) == 1 and vim.fn.readfile(ignore) or {}, '\n')
  H.ok(
    text:find('# >>> ringfence', 1, true) and text:find('training/datagen', 1, true),
    ':Ringfence export writes .cursorignore',
    text
  )

  -- Open zone definition from an RF001 in this internal zone
  require('ringfence').track_ai(function()
    api.nvim_buf_set_lines(buf, 14, 14, false, { '', '    def reset(self):', '        self.tokenizer = Tokenizer()' })
  end, { tool = 'codex' })
  H.wait(
    10000,
    function()
      return #H.diagnostics(buf, 'RF001') == 1
    end,
    'RF001 for an external edit in an internal zone',
    function()
      return H.describe(buf)
    end
  )
  api.nvim_win_set_cursor(0, { 16, 6 })
  vim.cmd('Ringfence zone')
  H.wait(10000, function()
    return vim.endswith(api.nvim_buf_get_name(0), '.ringfence.toml')
  end, ':Ringfence zone opens the policy file')
  local row = api.nvim_win_get_cursor(0)[1]
  local zone_lines = api.nvim_buf_get_lines(0, row - 1, row + 1, false)
  H.eq(zone_lines, { '[[zone]]', 'name = "model-serving"' }, ':Ringfence zone puts the cursor on the zone')
  vim.cmd.buffer(buf)

  -- health, from the file buffer
  vim.cmd('checkhealth ringfence')
  local report = api.nvim_buf_get_lines(0, 0, -1, false)
  local joined = table.concat(report, '\n')
  H.ok(not joined:find('ERROR', 1, true), 'checkhealth ringfence reports no error', report)
  for _, expect in ipairs({
    'OK Neovim 0.11',
    'OK version: ringfence',
    'OK policy found',
    'OK policy valid',
    'OK attached to serving/model_server.py',
    'OK listening to changes',
    'OK reports paste',
  }) do
    H.ok(joined:find(expect, 1, true), 'checkhealth: ' .. expect, report)
  end
end)
