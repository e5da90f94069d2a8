"""The base of every policy section: unknown keys are refused (a typo is an error, not a silent
default), and a loaded policy cannot be changed by the code reading it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
