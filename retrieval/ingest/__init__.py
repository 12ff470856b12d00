"""From a retailer's files to a cleaned `Dataset` with an honest report."""

from .mapped import ColumnMap, load_mapped, read_mapped
from .online_retail import load_online_retail, read_online_retail

__all__ = ["ColumnMap", "load_mapped", "load_online_retail", "read_mapped", "read_online_retail"]
