" Stand-in for github/copilot.vim's plugin/copilot.vim: the load guard and the <Tab> accept mapping.
if exists('g:loaded_copilot')
  finish
endif
let g:loaded_copilot = 1
imap <script><silent><nowait><expr> <Tab> copilot#Accept()
