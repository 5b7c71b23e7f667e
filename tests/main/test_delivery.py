"""Pages are compressed (brotli, gzip); static files carry a content hash and are cached for a year with it,
briefly without it."""
import gzip
import hashlib
import os
import re

import brotli
import pytest


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_compressed(client, encoding, decode):
    resp = client.get("/", headers={"Accept-Encoding": encoding})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in resp.headers["Vary"]
    assert decode(resp.get_data()).decode().startswith("<!doctype html>")


def test_without_accept_encoding_the_page_is_plain(client):
    resp = client.get("/")
    assert "Content-Encoding" not in resp.headers and resp.get_data(as_text=True).startswith("<!doctype html>")


def static_links(client):
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_carry_the_content_hash(app, client):
    links = static_links(client)
    assert any(link.startswith("/static/css/shop.css?v=") for link in links)
    for link in links:
        path, digest = link.split("?v=")
        with open(os.path.join(app.static_folder, path[len("/static/"):]), "rb") as handle:
            assert digest == hashlib.sha256(handle.read()).hexdigest()[:12], link


def test_a_fingerprinted_file_is_cached_for_a_year(client):
    link = next(link for link in static_links(client) if "shop.css" in link)
    resp = client.get(link)
    assert resp.status_code == 200
    cache = resp.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_a_file_without_its_current_hash_is_cached_briefly(client, query):
    resp = client.get("/static/css/shop.css" + query)
    assert resp.status_code == 200
    cache = resp.headers["Cache-Control"]
    assert "max-age=300" in cache and "immutable" not in cache
