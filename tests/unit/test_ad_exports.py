"""Reading ldifde (LDIF) and csvde (CSV) exports: what an admin who hands syncdash an
export of their AD would notice — every object read with the right GUID and values, the
file's kind found from its content, a wrong file refused in one line, and a large file
read as it streams in."""

from __future__ import annotations

import base64
import io
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from itertools import chain, repeat
from pathlib import Path

import pytest

from syncdash.ad.csvde import read_csvde
from syncdash.ad.exports import read_export, read_exports
from syncdash.ad.ldif import read_ldif
from syncdash.model import ObjectKind
from syncdash.onprem import ADObject, BadExport, RawEntry, ad_object

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ad"
GUID = "1c4b6a2e-7f3d-4e8a-9b1c-2d3e4f5a6b7c"
GUID_B64 = base64.b64encode(uuid.UUID(GUID).bytes_le).decode()
ZOE = "Zoë Müller-Łukasiewicz"
ZOE_DN = "CN=Zoe Muller,OU=Staff,OU=Europe,OU=Contoso Corporate Accounts,DC=contoso,DC=com"


def ldif(text: str | bytes) -> list[RawEntry]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(read_ldif(io.BytesIO(data), "contoso.ldf"))


def csvde(data: bytes) -> list[RawEntry]:
    return list(read_csvde(io.BytesIO(data), "contoso.csv"))


def obj(entry: RawEntry) -> ADObject:
    found = ad_object(entry, "export")
    assert found is not None
    return found


def refusal(read: Callable[..., Iterable[object]], *args: object) -> str:
    """The one-line message ``read(*args)`` refuses with, once iterated."""
    with pytest.raises(BadExport) as caught:
        list(read(*args))
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    return message


# --- LDIF ------------------------------------------------------------------------------

def test_an_ldifde_export_reads_users_and_groups_with_their_guids():
    entries = list(read_export(FIXTURES / "ldifde.ldf"))
    assert len(entries) == 3
    zoe = ad_object(entries[0], "ldifde.ldf")
    assert zoe is not None and zoe.kind is ObjectKind.USER
    assert zoe.distinguished_name == ZOE_DN
    assert zoe.object_guid == GUID and zoe.source_anchor == GUID_B64
    assert zoe.display_name == ZOE and zoe.disabled
    assert zoe.object_sid == "S-1-5-21-3569595041-3098015461-4074885321-1000"
    assert zoe.proxy_addresses == ("SMTP:zoe.muller@contoso.com",
                                   "smtp:zoe.muller.with.a.long.alias.for.the.migration@contoso.mail.onmicrosoft.com")
    group = ad_object(entries[1], "ldifde.ldf")
    assert group is not None and group.kind is ObjectKind.GROUP and group.display_name == "Sales; EMEA"
    assert group.object_guid == "df8d0df1-750c-4886-87cc-ba9876544321"
    assert ad_object(entries[2], "ldifde.ldf") is None  # a computer: not synced


def test_a_fold_inside_base64_and_inside_a_utf8_character_is_undone_before_decoding():
    name = "Zoë".encode()  # ë is two bytes: the fold falls between them
    text = (b"dn: CN=Zo\xc3\n \xab,DC=contoso,DC=com\n"
            b"objectClass: user\n"
            b"objectGUID:: " + GUID_B64[:7].encode() + b"\n " + GUID_B64[7:].encode() + b"\n"
            b"displayName: " + name[:3] + b"\n " + name[3:] + b"\n")
    [(dn, attributes)] = ldif(text)
    assert dn == "CN=Zoë,DC=contoso,DC=com"
    assert attributes["displayName"] == ["Zoë".encode()]
    assert obj((dn, attributes)).object_guid == GUID


def test_base64_values_dn_and_empty_values():
    encoded_dn = base64.b64encode(f"CN={ZOE},DC=contoso,DC=com".encode()).decode()
    text = (f"dn:: {encoded_dn}\nobjectClass: user\ndisplayName:: {base64.b64encode(ZOE.encode()).decode()}\n"
            "description:\nmS-DS-ConsistencyGuid::\nmail:    padded@contoso.com\n")
    [(dn, attributes)] = ldif(text)
    assert dn == f"CN={ZOE},DC=contoso,DC=com"
    assert attributes["displayName"] == [ZOE.encode()]
    assert attributes["description"] == [b""] and attributes["mS-DS-ConsistencyGuid"] == [b""]
    assert attributes["mail"] == [b"padded@contoso.com"]


def test_comments_crlf_bom_and_version_are_taken_in_stride():
    text = ("\ufeffversion: 1\r\n# exported by ldifde for the\r\n  migration (a folded comment)\r\n\r\n"
            "dn: CN=A,DC=contoso,DC=com\r\n# a comment inside a record\r\nobjectClass: user\r\n"
            "mail: a@contoso.com\r\n\r\n\r\n"
            "dn: CN=B,DC=contoso,DC=com\r\nobjectClass: contact\r\n")
    entries = ldif(text)
    assert [dn for dn, _ in entries] == ["CN=A,DC=contoso,DC=com", "CN=B,DC=contoso,DC=com"]
    assert entries[0][1] == {"objectClass": [b"user"], "mail": [b"a@contoso.com"]}


def test_repeated_lines_make_a_multi_valued_attribute_under_its_first_spelling():
    text = ("dn: CN=A,DC=contoso,DC=com\nchangetype: add\nproxyAddresses: SMTP:a@contoso.com\n"
            "proxyaddresses: smtp:b@contoso.com\nPROXYADDRESSES;lang-en: smtp:c@contoso.com\n")
    [(_, attributes)] = ldif(text)
    assert attributes == {"proxyAddresses": [b"SMTP:a@contoso.com", b"smtp:b@contoso.com", b"smtp:c@contoso.com"]}


def test_ldapsearch_output_skips_its_header_referrals_and_trailer():
    entries = list(read_export(FIXTURES / "ldapsearch.ldif"))
    assert [dn for dn, _ in entries] == [ZOE_DN, "CN=Ext Partner,OU=Contacts,DC=contoso,DC=com"]
    assert obj(entries[0]).object_guid == GUID and obj(entries[1]).kind is ObjectKind.CONTACT


def test_an_ldapsearch_that_stopped_at_a_size_limit_is_refused_as_incomplete():
    text = ("dn: CN=A,DC=contoso,DC=com\nobjectClass: user\n\n"
            "# search result\nsearch: 2\nresult: 4 Size limit exceeded\n")
    message = refusal(ldif, text)
    assert message.startswith("contoso.ldf: line 6: ") and "incomplete" in message


@pytest.mark.parametrize("change", ["modify", "delete", "modrdn", "moddn", "Modify"])
def test_change_files_are_refused_at_the_changetype_line(change):
    text = ("dn: CN=A,DC=contoso,DC=com\nchangetype: add\nobjectClass: user\n\n"
            f"dn: CN=B,DC=contoso,DC=com\nchangetype: {change}\n")
    assert refusal(ldif, text) == (f"contoso.ldf: line 6: a changetype: {change} record; syncdash reads exports "
                                   "(content or changetype: add), not change files")


def test_a_url_value_is_refused_not_followed():
    text = "dn: CN=A,DC=contoso,DC=com\njpegPhoto:< file:///etc/shadow\n"
    assert refusal(ldif, text).startswith("contoso.ldf: line 2: jpegPhoto:< URL values are not read")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("objectClass: user\nmail: a@contoso.com\n", 1, "a record without dn:"),
    ("dn: CN=A,DC=x\n\n\nmail: b@contoso.com\n", 4, "a record without dn:"),
    ("dn: CN=A,DC=x\nobjectGUID:: not base64!\n", 2, "not valid base64"),
    ("dn: CN=A,DC=x\nobjectGUID:: QQ\n", 2, "not valid base64"),  # missing padding
    (" folded: onto nothing\n", 1, "continues nothing"),
    ("dn: CN=A,DC=x\n\n continued after a blank line\n", 3, "continues nothing"),
    ("dn: CN=A,DC=x\nthis line has no colon\n", 2, "not an LDIF"),
    (b"dn: CN=\xff,DC=x\n", 1, "not UTF-8 text"),
    ("version: 2\ndn: CN=A,DC=x\n", 1, "unsupported LDIF"),
])
def test_a_record_that_cannot_be_read_is_refused_with_its_line(text, line, words):
    message = refusal(ldif, text)
    assert message.startswith(f"contoso.ldf: line {line}: ") and words in message


def test_an_error_quotes_only_a_short_sanitised_piece_of_a_hostile_line():
    hostile = "dn: CN=A,DC=x\n\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202eevil" + "A" * 5000 + "\n"
    message = refusal(ldif, hostile)
    assert message.startswith("contoso.ldf: line 2: ")
    assert not any(char in message for char in "\x1b\x07\u202e") and len(message) < 160


def test_a_bad_file_name_is_sanitised_too():
    message = refusal(read_ldif, io.BytesIO(b"mail: x\n"), "evil\x1b[31m.ldf")
    assert "\x1b" not in message and message.startswith("evil\ufffd[31m.ldf: line 1")


# --- csvde -----------------------------------------------------------------------------

def test_a_csvde_export_reads_multi_valued_cells_hex_guids_and_absent_values():
    entries = list(read_export(FIXTURES / "csvde.csv"))
    assert len(entries) == 2
    zoe, group = (ad_object(entry, "csvde.csv") for entry in entries)
    assert zoe is not None and zoe.kind is ObjectKind.USER and zoe.object_guid == GUID
    assert zoe.distinguished_name == "CN=Zoe Muller,OU=Staff,DC=contoso,DC=com" and zoe.display_name == "Zoë Müller"
    assert zoe.proxy_addresses == ("SMTP:zoe.muller@contoso.com", "smtp:zm@contoso.mail.onmicrosoft.com",
                                   "X500:/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn=zmuller")
    assert group is not None and group.kind is ObjectKind.GROUP and group.display_name == "Sales; EMEA"
    assert "userPrincipalName" not in entries[1][1] and "userAccountControl" not in entries[1][1]
    assert "DN" not in entries[0][1]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig", "cp1252"])
def test_csvde_encodings_unicode_with_a_bom_utf8_and_ansi(encoding):
    text = (FIXTURES / "csvde.csv").read_text("utf-8")
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    entries = csvde(data)
    assert [obj(entry).display_name for entry in entries] == ["Zoë Müller", "Sales; EMEA"]


def test_a_utf16_unit_holding_the_byte_0x0a_does_not_split_the_header():
    # U+010A (Ċ) is 0A 01 in UTF-16LE: a byte-level line reader stops inside it
    data = "DN,description\r\nCN=A,Ċ\r\n".encode("utf-16")
    assert csvde(data) == [("CN=A", {"description": ["Ċ".encode()]})]


@pytest.mark.parametrize(("data", "words"), [
    (b"DN,mail\r\nCN=A,a@x.com\r\nCN=B,b@x.com,extra\r\n", "row 3: 3 fields, but the header has 2"),
    (b"DN,mail\r\nCN=A\r\n", "row 2: 1 fields, but the header has 2"),
    (b"cn,mail\r\nA,a@x.com\r\n", "row 1: the header has no DN column"),
    (b'DN,mail\r\n,a@x.com\r\n', "row 2: no DN"),
    (b"", "empty"),
])
def test_a_csv_that_is_not_csvde_shaped_is_refused_with_its_row(data, words):
    assert words in refusal(csvde, data)


def test_reading_csv_leaves_the_callers_stream_open():
    stream = io.BytesIO(b"DN,mail\r\nCN=A,a@x.com\r\n")
    assert list(read_csvde(stream, "x.csv")) == [("CN=A", {"mail": [b"a@x.com"]})]
    assert not stream.closed


# --- detection and opening -------------------------------------------------------------

def test_the_kind_is_read_from_the_content_not_the_extension(tmp_path):
    (tmp_path / "really-csv.ldf").write_bytes((FIXTURES / "csvde.csv").read_bytes())
    (tmp_path / "unicode-csv.ldf").write_bytes((FIXTURES / "csvde.csv").read_text("utf-8").encode("utf-16"))
    (tmp_path / "really-ldif.csv").write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "ldifde.ldf").read_bytes())
    assert len(list(read_export(tmp_path / "really-csv.ldf"))) == 2
    assert [obj(entry).display_name for entry in read_export(tmp_path / "unicode-csv.ldf")] == ["Zoë Müller",
                                                                                              "Sales; EMEA"]
    assert len(list(read_export(tmp_path / "really-ldif.csv"))) == 3


def test_an_ldifde_unicode_export_in_utf16_is_read(tmp_path):
    path = tmp_path / "unicode.ldf"
    text = f"\r\ndn: CN={ZOE},DC=contoso,DC=com\r\nchangetype: add\r\ndisplayName: {ZOE}\r\n"
    path.write_bytes(text.encode("utf-16"))  # BOM, then UTF-16LE, as ldifde -u writes
    assert list(read_export(path)) == [(f"CN={ZOE},DC=contoso,DC=com", {"displayName": [ZOE.encode()]})]


@pytest.mark.parametrize(("content", "words"), [
    (b"Name,Mail\r\nZoe,zoe@contoso.com\r\n", 'it begins "Name,Mail"'),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it holds binary data"),
    (b"# only a comment\n\n", "only comments"),
    (b"", "it is empty"),
    (b"\x1b[2Jhello\n", 'it begins "\ufffd[2Jhello"'),
])
def test_a_file_that_is_no_export_is_refused_in_one_line(tmp_path, content, words):
    path = tmp_path / "notes.ldf"
    path.write_bytes(content)
    message = refusal(read_export, path)
    assert message.startswith(f"{path}: not an ldifde (LDIF) or csvde (CSV) export: ") and words in message


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    assert "a folder" in refusal(read_export, tmp_path)
    assert refusal(read_export, tmp_path / "gone.ldf") == f"{tmp_path / 'gone.ldf'}: no such file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "export.ldf"
    os.mkfifo(fifo)
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(refusal(read_export, fifo)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # it opened the FIFO and waits: release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_export blocked on a FIFO")
    assert outcome and "not a regular file" in outcome[0]


def test_several_exports_are_read_in_turn_each_entry_with_its_file():
    paths = [FIXTURES / "ldifde.ldf", FIXTURES / "csvde.csv"]
    assert [path.name for path, _ in read_exports(paths)] == ["ldifde.ldf"] * 3 + ["csvde.csv"] * 2


# --- streaming -------------------------------------------------------------------------

class Generated(io.RawIOBase):
    """A large export made up as it is read, recording how many bytes were handed out."""

    def __init__(self, head: bytes, record: bytes, count: int) -> None:
        self.chunks = chain((head,), repeat(record, count))
        self.size = len(head) + len(record) * count
        self.pending = b""
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.pending = chunk
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.served += size
        return size


@pytest.mark.parametrize(("read", "head", "record"), [
    (read_ldif, b"version: 1\n\n", b"dn: CN=A,DC=contoso,DC=com\nobjectClass: user\nmail: a@contoso.com\n\n"),
    (read_csvde, b"DN,objectClass,mail\r\n", b'"CN=A,DC=contoso,DC=com",user,a@contoso.com\r\n'),
])
def test_entries_arrive_as_a_large_export_is_read_not_after(read, head, record):
    dn = "CN=A,DC=contoso,DC=com"
    raw = Generated(head, record, 1_000_000)  # tens of megabytes
    entries = read(io.BufferedReader(raw), "big")
    assert next(entries)[0] == dn
    assert raw.served <= 64 * 1024
    for _ in range(1000):
        assert next(entries) == (dn, {"objectClass": [b"user"], "mail": [b"a@contoso.com"]})
    assert raw.served < 1001 * len(record) + 64 * 1024 < raw.size
