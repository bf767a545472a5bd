# exit and quit are CPython's Quitter objects: their repr says how to leave, and calling one raises SystemExit (a script goes on; the interface and the REPL end the session).
server> exit
server> quit
server> 1
server> exit()
server> 2
server> quit(3)
server> exit('bye')
server> exit(1, 2)
server> exit(code=1)
server> exit(None)
server> str(exit)
server> len(exit)
server> exit(1, 2)
server> exit(code=1)
server> exit(1, code=2)
server> exit(x=1)
