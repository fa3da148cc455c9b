"""The notebook API under its first name: notebooks (and every project `briefings init` made)
import `from briefings.briefing import Briefing`; it lives in briefings.report.notebook."""

from briefings.report.notebook import Briefing

__all__ = ["Briefing"]
