"""Write or check ``data/MANIFEST.sha256``: the SHA-256 digest of every file naskit ships.

    python benchmarks/data_manifest.py            # rewrite the manifest from the files in data/
    python benchmarks/data_manifest.py --check    # exit 1, naming each file, if any differs

Every file under data/ is listed (sub-folders too), except README.md, the manifest itself and the
leftovers of interrupted or running jobs (``*.part``, ``*.tmp``, ``*.lock``, ``*.ckpt``). Loaders
refuse a shipped file whose digest differs (``naskit._files.check_shipped``), so rerun this after
rebuilding or adding a shipped file, and commit the manifest with it. The format is that of
``sha256sum``: ``cd data && sha256sum -c MANIFEST.sha256`` checks it as well.
"""
from __future__ import annotations

import argparse
import fnmatch
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from naskit._files import MANIFEST, file_digest, read_manifest  # noqa: E402

SKIP = ("README.md", MANIFEST, "*.part", "*.part.*", "*.tmp", "*.lock", "*.ckpt", "*.ckpt.*")
# folders of running jobs, never shipped: the one-shot precompute's checkpoints
SKIP_FOLDERS = ("nb201-mini-oneshot-ckpt",)


def shipped_files(data: Path) -> list[str]:
    """The files of ``data`` the manifest lists, as sorted paths relative to it."""
    return sorted(p.relative_to(data).as_posix() for p in data.rglob("*")
                  if p.is_file() and not any(fnmatch.fnmatch(p.name, s) for s in SKIP)
                  and not any(part in SKIP_FOLDERS for part in p.relative_to(data).parts[:-1]))


def manifest_text(data: Path) -> str:
    return "".join(f"{file_digest(data / name)}  {name}\n" for name in shipped_files(data))


def write_manifest(data: Path) -> None:
    """Rewrite ``data``'s manifest atomically from the files there now."""
    tmp = data / (MANIFEST + ".tmp")
    tmp.write_text(manifest_text(data))
    tmp.replace(data / MANIFEST)


def differences(data: Path) -> list[str]:
    """One line per file whose digest differs from the manifest's, or that one of them lacks."""
    want, have = read_manifest(data), {n: file_digest(data / n) for n in shipped_files(data)}
    out = [f"{n}: not in {MANIFEST}" for n in sorted(set(have) - set(want))]
    out += [f"{n}: listed in {MANIFEST} but missing" for n in sorted(set(want) - set(have))]
    out += [f"{n}: differs (SHA-256 {have[n][:12]}..., manifest {want[n][:12]}...)"
            for n in sorted(set(have) & set(want)) if have[n] != want[n]]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare, do not write")
    p.add_argument("--data", type=Path, default=ROOT / "data", help="the data folder")
    args = p.parse_args(argv)
    if args.check:
        problems = differences(args.data)
        for line in problems:
            print(line)
        print(f"{len(problems)} file(s) differ from {args.data / MANIFEST}" if problems else
              f"all {len(shipped_files(args.data))} files match {args.data / MANIFEST}")
        return 1 if problems else 0
    write_manifest(args.data)
    print(f"wrote {args.data / MANIFEST} ({len(shipped_files(args.data))} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
