"""An audio file for a survey's text, checked by its content and made small.

What a file is comes from its bytes, never from its name or the type the browser sent: MP3
(an ID3 tag or an MPEG audio frame), M4A/AAC (an MP4 `ftyp` box, or AAC's ADTS frames),
OGG (Opus or Vorbis), WAV (RIFF/WAVE) and WebM (what a browser's recorder makes). Anything else
(an HTML page renamed .mp3, a video, a picture) is refused with the list of what is accepted.

When ffprobe is there, the file must also hold an audio stream that ffprobe reads, opened
with the demuxer its first bytes name (never guessed from the file, so a playlist or a
concatenation list cannot make ffmpeg read anything else). When ffmpeg is there, the sound is
made anew as one small MP3 (mono, 22 kHz, 40 kb/s: speech stays clear, a sentence weighs a few
kilobytes, and every phone and browser plays MP3 and can seek in it), with no metadata at all
(no tags, no cover picture, no encoder name): audio never carries personal data. Without
ffmpeg the file is stored as given (its tags with it); the builder says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 # ffmpeg and ffprobe, with fixed arguments, on a temporary file
import tempfile
from dataclasses import dataclass

from flask import current_app

# The type the first bytes name -> the demuxer ffmpeg must read it with.
DEMUXERS = {
    "audio/mpeg": "mp3",
    "audio/mp4": "mov",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/webm": "matroska",
}
# MP4 brands of audio files (iPhone voice memos are M4A; Android recorders often say mp42/isom).
MP4_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"dash")
# What ffmpeg makes: mono speech at 40 kb/s.
MP3_ARGUMENTS = ("-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "40k")
# A clip longer than this is not a question read aloud.
MAX_SECONDS = 300
TIMEOUT_SECONDS = 60


class AudioRefused(Exception):
    """An upload that is not kept; `reason` is one of REASONS (the view words it)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


REASONS = ("empty", "too large", "not accepted", "damaged", "too long")


@dataclass(frozen=True)
class CheckedAudio:
    """An accepted file: its type and the bytes to store; `made_small` when ffmpeg made them."""

    content_type: str
    data: bytes
    made_small: bool


def sniffed_type(data: bytes) -> str | None:
    """The audio type the first bytes name, or None."""
    head = data[:64]
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "audio/mp4"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"\x1a\x45\xdf\xa3") and (b"webm" in head or b"matroska" in head):
        return "audio/webm"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync, MPEG-4 or -2, layer 00
            return "audio/aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # an MPEG audio frame, layer I-III
            return "audio/mpeg"
    return None


def tool(name: str) -> str | None:
    """The configured program (AUDIO_FFMPEG or AUDIO_FFPROBE) when it is there, else None."""
    configured = current_app.config.get(name) or ""
    return shutil.which(configured) if configured else None


def check_audio(data: bytes, max_bytes: int) -> CheckedAudio:
    """The clip to store for the uploaded bytes `data`; AudioRefused otherwise."""
    if not data:
        raise AudioRefused("empty")
    if len(data) > max_bytes:
        raise AudioRefused("too large")
    kind = sniffed_type(data)
    if kind is None:
        raise AudioRefused("not accepted")
    ffprobe, ffmpeg = tool("AUDIO_FFPROBE"), tool("AUDIO_FFMPEG")
    if ffprobe is None and ffmpeg is None:
        return CheckedAudio(kind, data, made_small=False)
    with tempfile.TemporaryDirectory(prefix="survey-audio-") as folder:
        source = os.path.join(folder, "upload")
        with open(source, "wb") as f:
            f.write(data)
        if ffprobe is not None:
            _probe(ffprobe, source, kind)
        if ffmpeg is None:
            return CheckedAudio(kind, data, made_small=False)
        return CheckedAudio("audio/mpeg", _made_small(ffmpeg, source, kind, folder), True)


def _run(command):
    try:
        return subprocess.run(  # nosec B603 # a list of fixed arguments, no shell
            command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, stdin=None
        )
    except subprocess.TimeoutExpired as error:
        raise AudioRefused("damaged") from error


def _probe(ffprobe, source, kind):
    """Refuse a file without an audio stream ffprobe reads, or longer than MAX_SECONDS."""
    result = _run(
        [
            ffprobe,
            "-v",
            "error",
            "-f",
            DEMUXERS[kind],
            "-show_entries",
            "stream=codec_type:format=duration",
            "-of",
            "json",
            source,
        ]
    )
    try:
        found = json.loads(result.stdout or b"{}")
    except ValueError as error:
        raise AudioRefused("damaged") from error
    streams = found.get("streams") or []
    if result.returncode != 0 or not any(s.get("codec_type") == "audio" for s in streams):
        raise AudioRefused("damaged")
    try:
        seconds = float((found.get("format") or {}).get("duration") or 0)
    except ValueError:
        seconds = 0
    if seconds > MAX_SECONDS:
        raise AudioRefused("too long")


def _made_small(ffmpeg, source, kind, folder):
    """The first audio stream as a small MP3 without any metadata."""
    target = os.path.join(folder, "clip.mp3")
    result = _run(
        [
            ffmpeg,
            "-nostdin",
            "-v",
            "error",
            "-protocol_whitelist",
            "file",
            "-f",
            DEMUXERS[kind],
            "-i",
            source,
            "-map",
            "0:a:0",
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-t",
            str(MAX_SECONDS),
            *MP3_ARGUMENTS,
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-write_xing",  # its LAME tag names the encoder; a constant rate needs no index
            "0",
            "-f",
            "mp3",
            target,
        ]
    )
    if result.returncode != 0 or not os.path.isfile(target) or os.path.getsize(target) == 0:
        raise AudioRefused("damaged")
    with open(target, "rb") as f:
        return f.read()
