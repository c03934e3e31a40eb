from eoffice.cli import main

main()
