import pytest

from shop.money import format_fen, parse_yuan


@pytest.mark.parametrize("fen, text", [(0, "¥0.00"), (1, "¥0.01"), (1234, "¥12.34"), (100000, "¥1000.00"),
                                       (-250, "-¥2.50")])
def test_format_fen(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize("text, fen", [("12", 1200), ("12.3", 1230), ("12.34", 1234), (" 0.01 ", 1), ("0", 0)])
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "-1", "1.234", "1e3", "12,5", None, "nan", "1." ])
def test_parse_yuan_refuses(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


@pytest.mark.parametrize("off_bp, zhe", [(1500, "8.5"), (2000, "8"), (1250, "8.75"), (10, "9.99"), (9990, "0.01")])
def test_a_percent_off_reads_as_zhe(off_bp, zhe):
    from shop.money import format_zhe
    assert format_zhe(off_bp) == zhe
