" Stand-in for github/copilot.vim's autoload/copilot.vim: copilot#Enabled() honours
" b:copilot_disabled, then b:copilot_enabled (s:BufferDisabled()); copilot#Accept() inserts the
" displayed suggestion through <C-R><C-O>= and otherwise returns the <Tab> fallback.
let g:copilot_standin_offered = 0

function! copilot#Enabled() abort
  if exists('b:copilot_disabled')
    return empty(b:copilot_disabled)
  endif
  if exists('b:copilot_enabled')
    return !empty(b:copilot_enabled)
  endif
  return get(g:, 'copilot_enabled', 1)
endfunction

function! copilot#Clear() abort
  unlet! b:_copilot
endfunction

function! copilot#Accept(...) abort
  if copilot#Enabled()
    let g:copilot_standin_offered += 1
    let s:suggestion_text = 'copilot_vim_wrote_this = True'
    return "\<C-R>\<C-O>=copilot#TextQueuedForInsertion()\<CR>"
  endif
  return "\t"
endfunction

function! copilot#TextQueuedForInsertion() abort
  try
    return remove(s:, 'suggestion_text')
  catch
    return ''
  endtry
endfunction
