from seccheck.cli.main import main

main()
