"""The dashboard's charts as plain geometry for server-side SVG (templates/admin/dashboard/_charts.html): no
JavaScript, nothing from a CDN, and they print. Pixel positions only; the money stays integer fen in the labels."""
from dataclasses import dataclass, field

from babel.numbers import format_compact_decimal
from flask_babel import get_locale

from ...money import format_fen

WIDTH, HEIGHT = 540, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 8, 10, 26
TICKS = 4
#: The widest bar (a range of one day or two).
MAX_BAR = 60
#: At most this many day labels under a chart.
MAX_X_LABELS = 10


@dataclass
class Chart:
    """An SVG chart: bars, an optional line with its dots, y ticks and x labels, each with its own text."""
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)
    dots: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    x_labels: list = field(default_factory=list)

    @property
    def line(self):
        return " ".join(f"{x},{y}" for x, y, _title in self.dots)

    @property
    def left(self):
        return LEFT


def nice_top(value):
    """The smallest 1/2/5 x 10^k step times TICKS that reaches value (at least TICKS)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step * TICKS >= value:
                return m * step * TICKS
        step *= 10


def _y(value, top):
    return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top, 1)


def _frame(count, top, fmt):
    """An empty chart with its ticks and the slot width of each of `count` days."""
    chart = Chart(ticks=[(_y(top * i // TICKS, top), fmt(top * i // TICKS)) for i in range(TICKS + 1)])
    return chart, (WIDTH - LEFT - RIGHT) / max(count, 1)


def _x_labels(chart, days, slot):
    every = -(-len(days) // MAX_X_LABELS)
    chart.x_labels = [(round(LEFT + slot * (i + 0.5), 1), day.strftime("%m-%d"))
                      for i, day in enumerate(days) if i % every == 0]


def bars_chart(days, values, fmt=str, line=None, title_fmt=None, unit=1):
    """Bars of values per day, and optionally a line of a second series on the same scale; each tick a whole
    number of `unit` (100 for fen: whole yuan)."""
    title_fmt = title_fmt or fmt
    top = nice_top(max(values + (line or []) + [unit * TICKS]))
    chart, slot = _frame(len(days), top, fmt)
    width = round(min(max(slot * 0.6, 1), MAX_BAR), 1)
    for i, (day, value) in enumerate(zip(days, values)):
        x = LEFT + slot * (i + 0.5)
        y = _y(value, top)
        chart.bars.append((round(x - width / 2, 1), y, width, round(HEIGHT - BOTTOM - y, 1), f"{day} {title_fmt(value)}"))
        if line is not None:
            chart.dots.append((round(x, 1), _y(line[i], top), f"{day} {title_fmt(line[i])}"))
    _x_labels(chart, days, slot)
    return chart


def compact(number):
    """Axis labels in the reader's language: 2万 / 1.5亿, 20K / 150M (the exact figure is in each bar's title)."""
    return format_compact_decimal(number, locale=str(get_locale() or "zh"), fraction_digits=1)


def _yuan(fen):
    return "¥" + compact(fen // 100)


def build(report):
    """The charts of a Report: daily sales with commission created, and new members per day."""
    days = [day for day, _figures in report.days]
    return {
        "sales": bars_chart(days, [f["sales_fen"] for _d, f in report.days], _yuan,
                            title_fmt=lambda fen: format_fen(fen, grouped=True), unit=100,
                            line=[f["commission_created_fen"] for _d, f in report.days]),
        "members": bars_chart(days, [f["new_members"] for _d, f in report.days], compact, title_fmt="{:,}".format),
    }
