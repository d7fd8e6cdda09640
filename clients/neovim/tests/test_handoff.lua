-- Move to <assistant> through :Ringfence handoff: an external AI edit in an internal zone is
-- replaced by the in-house assistant's answer (a fake OpenAI-compatible server run by pytest,
-- configured in the user's ringfence config), and nothing is flagged afterwards.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
local api = vim.api

-- answer the server's questions (window/showMessageRequest goes through vim.ui.select)
local asked = {}
vim.ui.select = function(items, opts, on_choice)
  asked[#asked + 1] = opts and opts.prompt or ''
  for i, item in ipairs(items) do
    local title = type(item) == 'table' and item.title or tostring(item)
    if title:find('Allow', 1, true) or title:find('Complete', 1, true) then
      return on_choice(item, i)
    end
  end
  on_choice(nil, nil)
end

H.run(function()
  vim.cmd.edit('serving/model_server.py')
  local buf = api.nvim_get_current_buf()
  assert(H.client(buf), 'no client')
  H.wait(10000, function()
    return require('ringfence').status() == 'internal · model-serving'
  end, 'serving/model_server.py is internal')

  -- a human-written stub (two small changes), then an external AI body below its comment
  api.nvim_buf_set_lines(buf, 14, 14, false, { '', '    def stream(self, prompt):' })
  vim.o.undolevels = vim.o.undolevels
  api.nvim_buf_set_lines(buf, 16, 16, false, { '        # Yield the decoded tokens one by one.' })
  vim.wait(500)
  require('ringfence').track_ai(function()
    api.nvim_buf_set_lines(buf, 17, 17, false, {
      '        for token in self.tokenizer.encode(prompt):  # copilot_wrote_this',
      '            yield self.tokenizer.decode([token])',
    })
  end, { tool = 'copilot' })
  H.wait(
    10000,
    function()
      return #H.diagnostics(buf, 'RF001') == 1
    end,
    'the external edit is flagged RF001',
    function()
      return H.describe(buf)
    end
  )

  api.nvim_win_set_cursor(0, { 18, 8 })
  local answer
  require('ringfence').action('handoff', function(err, title)
    answer = { err = err or false, title = title }
  end)
  H.wait(30000, function()
    return answer
  end, ':Ringfence handoff answered')
  H.eq(answer and answer.err, false, 'handoff ran without error')
  H.ok(answer and answer.title and answer.title:find('metacode', 1, true), 'the action is Move to metacode', answer)
  H.wait(
    30000,
    function()
      local text = table.concat(api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
      return text:find('metacode_wrote_this', 1, true) and not text:find('copilot_wrote_this', 1, true)
    end,
    "the assistant's answer replaced the AI region",
    function()
      return api.nvim_buf_get_lines(buf, 0, -1, false)
    end
  )
  H.wait(
    10000,
    function()
      return #H.diagnostics(buf) == 0
    end,
    'nothing is flagged after the handoff',
    function()
      return H.describe(buf)
    end
  )
end)
