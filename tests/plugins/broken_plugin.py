"""Plugins that misbehave, to prove a broken plugin is named in a clear error."""

from __future__ import annotations

from eirules import hookimpl


class RaisesInClocks:
    @hookimpl
    def clocks_for(self, case):
        return [1 / 0]


class ReturnsAString:
    @hookimpl
    def eligibility_for(self, case):
        return "eligible"


class ReturnsOneFindingNotAList:
    @hookimpl
    def findings_for(self, case):
        from eirules.core.decisions import Finding

        return Finding(rule="x", outcome="y", reason="z", citation="c")


class ReturnsBadEventType:
    @hookimpl
    def register_event_types(self):
        return ["not_an_event_type"]


class ReturnsBadSections:
    @hookimpl
    def register_case_sections(self):
        return ["home_visits"]


class MisspeltHook:
    @hookimpl
    def clock_for(self, case):
        return []
