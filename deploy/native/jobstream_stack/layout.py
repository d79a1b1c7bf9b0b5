"""Where the native stack keeps its state: one git-ignored folder inside the checkout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StackLayout:
    root: Path

    @property
    def kafka(self) -> Path:
        return self.root / "kafka"

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        """pid files of the processes the stack started."""
        return self.root / "run"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def create(self) -> None:
        for folder in (self.kafka, self.postgres, self.logs, self.run):
            folder.mkdir(parents=True, exist_ok=True)
