#!/bin/sh
# Make the demo's recordings again (survey/demo/audio/*.mp3): the Farmers' Union's 2025
# satisfaction survey read aloud in Vietnamese by espeak-ng (Debian package espeak-ng, 1.51,
# voice vi) and made small by ffmpeg. Run from anywhere; needs espeak-ng and ffmpeg on PATH.
set -eu
cd "$(dirname "$0")/../.."
rm -f survey/demo/audio/*.mp3
PYTHONPATH="$PWD" .venv/bin/python -c '
from app import create_app
from survey.demo.spoken import make_files
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context():
    print(f"{make_files()} bytes written to survey/demo/audio/")
'
