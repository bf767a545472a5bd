# help is CPython's _Helper object: its repr and its argument errors are CPython's (what help(x) prints is sockplay's own text, so it is not compared here).
server> help
server> help(1, 2)
server> help(x=1)
server> str(help)
