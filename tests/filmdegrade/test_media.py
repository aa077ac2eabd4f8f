import pytest

from filmdegrade.media import (
    Medium,
    _table,
    get_gauge,
    get_stock,
    get_tape,
    list_gauges,
    list_stocks,
    list_tapes,
)

MEASURED_SUFFIXES = ("_mm", "_um", "_deg", "_mhz", "_khz", "_db", "_tvl", "rms_granularity", "_mbps")


@pytest.mark.parametrize("table", ["gauges", "stocks", "tapes", "sensitivity"])
def test_every_measured_value_has_a_source_and_status(table):
    for key, row in _table(table).items():
        assert "source" in row or any(k.endswith("_source") for k in row), key
        for field, value in row.items():
            if not isinstance(value, int | float) or not field.endswith(MEASURED_SUFFIXES):
                continue
            # covered by a *_source/_status named after a prefix or suffix of the field, or the row's own
            parts = field.split("_")
            stems = ["_".join(parts[:i]) for i in range(len(parts), 0, -1)] + [
                "_".join(parts[i:]) for i in range(1, len(parts))
            ]
            src = next((f"{s}_source" for s in stems if f"{s}_source" in row), "source")
            assert src in row, f"{table}.{key}.{field} has no source"
            st = row[src.replace("_source", "_status") if src != "source" else "status"]
            assert st in {"V", "S", "M", "E"}, f"{table}.{key}.{field} status {st!r}"


def test_gauges_and_um_per_pixel():
    assert {"regular8", "super8", "16mm", "super16", "35mm_academy", "35mm_full"} <= set(list_gauges())
    s8 = Medium(gauge="super8")
    assert s8.stock == get_gauge("super8").default_stock
    assert s8.um_per_px(1440) == pytest.approx(5790 / 1440)
    assert Medium(gauge="super8", scan_width_px=2880).um_per_px(256) == pytest.approx(5790 / 2880)
    assert Medium(gauge="super8").um_to_px(40.2, 1440) == pytest.approx(10.0, rel=1e-3)
    # same scan width: Super 8 pixels are smaller on the film than 35 mm pixels
    assert Medium(gauge="super8").um_per_px(2048) < Medium(gauge="35mm_academy").um_per_px(2048)


def test_stocks_have_granularity_and_flags():
    names = list_stocks()
    for published in [
        "kodachrome_25",
        "kodachrome_64",
        "kodachrome_200",
        "ektachrome_100",
        "ektachrome_400hc",
        "ektachrome_e100",
        "provia_100f",
        "velvia_50",
        "eastman_double_x",
    ]:
        assert published in names
        assert not get_stock(published).granularity_is_estimated
    assert get_stock("kodachrome_25").rms_granularity == 9
    assert get_stock("kodachrome_40").granularity_is_estimated
    assert get_stock("eastman_double_x").layer_order == ("silver",)
    assert get_stock("ektachrome_100").layer_order[0] == "yellow"
    assert get_stock("ektachrome_100").is_positive and not get_stock("vision3_500t").is_positive


def test_scene_sensitivity_of_every_stock():
    responses = _table("sensitivity")
    for name in list_stocks():
        stock = get_stock(name)
        if stock.is_colour:
            assert stock.scene_sensitivity is None, name
            continue
        assert stock.scene_sensitivity in responses, name
        assert stock.info["scene_sensitivity_source"], name
        assert stock.info["scene_sensitivity_status"] in {"V", "S", "M", "E"}, name
    assert get_stock("bw_print_nitrate").scene_sensitivity == "orthochromatic"
    for pan in ("eastman_double_x", "tri_x_reversal", "plus_x_reversal"):
        assert get_stock(pan).scene_sensitivity == "panchromatic"


def test_sensitivity_table_has_sourced_weights():
    for key, row in _table("sensitivity").items():
        assert len(row["weights"]) == 3 and min(row["weights"]) >= 0, key
        assert abs(sum(row["weights"]) - 1.0) < 1e-9, key
        assert row["weights_source"] and row["weights_status"] in {"V", "S", "M", "E"}, key


def test_tapes():
    assert {"vhs_sp", "vhs_lp", "vhs_ep", "svhs", "betamax", "video8", "hi8", "dv"} <= set(list_tapes())
    vhs = get_tape("vhs_sp")
    assert vhs.luma_bandwidth_mhz == 3.0 and vhs.chroma_bandwidth_mhz < vhs.luma_bandwidth_mhz / 4
    with pytest.raises(AttributeError, match="no field"):
        _ = vhs.no_such_field


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"gauge": "9.5mm"}, ValueError, "unknown gauge"),
        ({"stock": "agfa_9000"}, ValueError, "unknown stock"),
        ({"tape": "umatic"}, ValueError, "unknown tape format"),
        ({"scan_width_px": 0}, ValueError, "scan_width_px"),
        ({"scan_width_px": 2.5}, TypeError, "scan_width_px"),
        ({"gauge": 8}, TypeError, "gauge"),
    ],
)
def test_bad_medium(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        Medium(**kwargs)


def test_medium_round_trip():
    m = Medium(gauge="16mm", stock="kodachrome_25", scan_width_px=2048, tape="vhs_sp")
    assert Medium.from_dict(m.to_dict()) == m
    with pytest.raises(ValueError, match="unknown medium field"):
        Medium.from_dict({"gauge": "16mm", "iso": 100})
