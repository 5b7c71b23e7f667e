"""Sortable admin lists: each list declares its whitelist once (`Sorting`: key -> column expression, the default
key and direction); `?sort=<key>&dir=asc|desc` picks one (anything else is the default, silently). The list's
read model orders by `Sort.order_by()`, which ends with the id so equal values keep a stable order across pages.
The header cell is `templates/_macros/admin.html` `sort_th`; the pager keeps the arguments, filter forms carry
them with `sort_fields`."""
from dataclasses import dataclass, field, replace

from flask import request, url_for
from sqlalchemy import tuple_

DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class Sorting:
    """A list's sortable columns {key: column expression, or a tuple of them}, the key and direction used when none
    is asked, and the tiebreaker (the rows' id)."""
    columns: dict
    default: str
    tiebreak: object
    direction: str = "desc"

    def choose(self, args):
        """The Sort asked for in the query string (or a posted form): an unknown key is the default Sort, an
        unknown direction the default direction."""
        key, direction = args.get("sort"), args.get("dir")
        if key not in self.columns:
            return self.standard
        return Sort(key, direction if direction in DIRECTIONS else self.direction, self)

    @property
    def standard(self):
        """The default Sort."""
        return Sort(self.default, self.direction, self)


@dataclass(frozen=True)
class Sort:
    """One chosen column and direction of a Sorting."""
    key: str
    dir: str
    sorting: Sorting = field(repr=False, compare=False)
    #: (endpoint, filter arguments) the header links go to; None: the current GET page with its arguments.
    link: tuple = field(default=None, repr=False, compare=False)

    def linked(self, endpoint, args):
        """This Sort with header links to `endpoint` with `args`: for a list shown again by a refused POST."""
        return replace(self, link=(endpoint, args))

    def order_by(self):
        """ORDER BY clauses: the column(s), then the id, all in the chosen direction."""
        columns = self.sorting.columns[self.key]
        columns = columns if isinstance(columns, tuple) else (columns,)
        return tuple(getattr(column, self.dir)() for column in (*columns, self.sorting.tiebreak))

    def keyset(self):
        """The keyset of this order, for paging through every row a batch at a time (exports)."""
        columns = self.sorting.columns[self.key]
        return Keyset((*(columns if isinstance(columns, tuple) else (columns,)), self.sorting.tiebreak), self.dir)

    def args(self):
        """{"sort", "dir"} for links and hidden fields; empty for the default (short URLs)."""
        return {} if self == self.sorting.standard else {"sort": self.key, "dir": self.dir}

    def plus(self, args):
        """args (a list's filters) with this choice's {"sort", "dir"} added, for links carrying both."""
        return {**args, **self.args()}

    def next_dir(self, key):
        """The direction a click on `key`'s header asks for: the other one on the active column, else desc."""
        return ("asc" if self.dir == "desc" else "desc") if key == self.key else "desc"

    def url(self, key):
        """The list's URL sorted by `key`: the current page's (other arguments kept) or the linked one, page 1."""
        endpoint, args = self.link or (request.endpoint, {**(request.view_args or {}), **request.args.to_dict()})
        args = {**{name: value for name, value in args.items() if name != "page"}, "sort": key, "dir": self.next_dir(key)}
        return url_for(endpoint, **args)


@dataclass(frozen=True)
class Keyset:
    """The sort columns and the id of a Sort (mapped attributes of NOT NULL columns), and its direction."""
    columns: tuple
    dir: str

    def values_of(self, row):
        """The keyset values of a fetched row: where the next batch starts."""
        return tuple(getattr(row, column.key) for column in self.columns)

    def beyond(self, values):
        """The condition for the rows after `values` in this order (a row-value comparison)."""
        keys, bound = tuple_(*self.columns), tuple_(*values)
        return keys < bound if self.dir == "desc" else keys > bound
