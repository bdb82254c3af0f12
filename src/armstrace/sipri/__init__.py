"""The SIPRI Arms Transfers Database: read its register export, store it, compare the news with it.

    from armstrace.sipri import read_register, compare
    deals = read_register("trade_register.csv")
    result = compare([d.to_dict() for d in deals], store.events())
"""

from armstrace.sipri.compare import Comparison, compare
from armstrace.sipri.register import Deal, Problem, RegisterError, read_deals, read_register

__all__ = ["Comparison", "Deal", "Problem", "RegisterError", "compare", "read_deals", "read_register"]
