from memo.cli import run

run()
