"""Service errors (Exchange Online's XML) classified into kinds, and the fix each kind gets.

The texts are the demo tenant's and the wordings Exchange Online writes in real tenants
(as admins and Microsoft's support blogs quote them), including curly quotes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from syncdash.diagnose.service_errors import NOT_RECOGNISED, remedy
from syncdash.emulator.scenarios.exchange_errors import archive_exists, email_in_use, litigation_hold, proxy_in_use
from syncdash.emulator.scenarios.objects import service_error as demo_service_error
from syncdash.graph.parse import directory_object, service_error
from syncdash.model import DirectoryObject, ObjectKind, ServiceError, ServiceErrorKind

KIND = ServiceErrorKind
GUID_ONPREM = "0f2c51a8-8d4e-4b1e-9b7a-3c0d5e6f7a81"
GUID_CLOUD = "45e245ba-67a5-4ed4-8f3c-1b2a3c4d5e6f"
USER = DirectoryObject(
    id="1", kind=ObjectKind.USER, display_name="Diego Siciliani", user_principal_name="diego@contoso.com",
    mail="diego@contoso.com", proxy_addresses=("SMTP:diego@contoso.com",), sync_enabled=True,
    sam_account_name="dsiciliani",
)


def xml(*records: tuple[str, str, str]) -> str:
    """Exchange's errorDetail shape: one ErrorRecord per (code, parameter, description)."""
    body = "".join(
        f"<ErrorRecord><ErrorCode>{escape(code)}</ErrorCode><ErrorParameters><ErrorParameter>{escape(param)}"
        f"</ErrorParameter></ErrorParameters><ErrorDescription>{escape(text)}</ErrorDescription></ErrorRecord>"
        for code, param, text in records
    )
    return f'<ServiceInstance Name="exchange/NAMPRD09-001-01"><ObjectErrors>{body}</ObjectErrors></ServiceInstance>'


def parsed(detail: str) -> ServiceError:
    return service_error({"createdDateTime": "2026-11-20T08:00:00Z", "isResolved": False,
                          "serviceInstance": "exchange/NAMPRD09-001-01", "errorDetail": detail})


def kind_of(text: str, parameter: str = "") -> tuple[ServiceErrorKind, str | None]:
    error = parsed(xml(("Ex000000", parameter, text)))
    return error.kind, error.value


# -- the demo tenant's four texts -------------------------------------------------------
@pytest.mark.parametrize(
    ("exchange_error", "kind", "value"),
    [
        (email_in_use("smtp:approvals@contoso.com"), KIND.DUPLICATE_VALUE, "smtp:approvals@contoso.com"),
        (proxy_in_use("SMTP:nestor.wilke@contoso.com", "Nestor Wilke (old mailbox)"), KIND.DUPLICATE_VALUE,
         "SMTP:nestor.wilke@contoso.com"),
        (litigation_hold("Diego Siciliani"), KIND.HOLD, None),
        (archive_exists("Adele Vance", GUID_ONPREM, GUID_CLOUD), KIND.GUID_MISMATCH, GUID_ONPREM),
    ],
)
def test_the_demo_tenants_service_errors_are_classified(exchange_error, kind, value):
    raw = demo_service_error(exchange_error, "2026-11-20T08:00:00Z")
    error = directory_object({"id": "1", "serviceProvisioningErrors": [raw]}, ObjectKind.USER).service_errors[0]
    assert (error.kind, error.value) == (kind, value)


# -- the wordings real tenants show ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "parameter", "kind", "value"),
    [
        ('The value "smtp:j.doe@contoso.com" of property "EmailAddresses" is used by another recipient object. '
         "Please specify a unique value.", "EmailAddresses", KIND.DUPLICATE_VALUE, "smtp:j.doe@contoso.com"),
        ("The value “SMTP:j.doe@contoso.com” of property “EmailAddresses” is used by another recipient object. "
         "Please specify a unique value.", "", KIND.DUPLICATE_VALUE, "SMTP:j.doe@contoso.com"),
        ('The proxy address "SMTP:info@contoso.com" is already being used by the proxy addresses or '
         "LegacyExchangeDN. Please choose another proxy address.", "", KIND.DUPLICATE_VALUE,
         "SMTP:info@contoso.com"),
        ('The proxy address "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/'
         'cn=jdoe" is already being used by the proxy addresses or LegacyExchangeDN of "John Doe". Please '
         "choose another proxy address.", "EmailAddresses", KIND.DUPLICATE_VALUE,
         "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jdoe"),
        ('Exchange: The name "John Doe" is already being used. Please try another name.', "",
         KIND.DUPLICATE_VALUE, "John Doe"),
        ("Exchange can’t disable the mailbox “JPNPR01A004.PROD.OUTLOOK.COM/Microsoft Exchange Hosted "
         "Organizations/contoso.onmicrosoft.com/testuserA” because it is on In-Place Hold.", "", KIND.HOLD, None),
        ('Exchange can\'t disable the mailbox "NAMPR09A004.PROD.OUTLOOK.COM/Microsoft Exchange Hosted '
         'Organizations/contoso.onmicrosoft.com/testuserB" because it is on litigation hold', "", KIND.HOLD, None),
        ('Exchange can\'t disable the mail user "NAMPRD09.prod.outlook.com/Microsoft Exchange Hosted '
         'Organizations/contoso.onmicrosoft.com/user" because it is on litigation hold.', "", KIND.HOLD, None),
        (f"Failed to sync the ArchiveGuid {GUID_ONPREM} of mailbox 28b65659-5f92-4b4c-5ba4-bea255450f00 because "
         f"one cloud archive {GUID_CLOUD} exists.", "", KIND.GUID_MISMATCH, GUID_ONPREM),
        (f"The value “{GUID_ONPREM}” of property “ExchangeGuid” is used by another recipient object. Please "
         "specify a unique value.", "", KIND.GUID_MISMATCH, GUID_ONPREM),
        (f'The value "{GUID_ONPREM}" of property "ArchiveGuid" is used by another recipient object. Please '
         "specify a unique value.", "ArchiveGuid", KIND.GUID_MISMATCH, GUID_ONPREM),
        (f"The ExchangeGuid {GUID_ONPREM} of the on-premises mailbox doesn't match the ExchangeGuid {GUID_CLOUD} "
         "of the mailbox in Exchange Online.", "", KIND.GUID_MISMATCH, GUID_ONPREM),
        ("Cannot validate argument on parameter ‘ArchiveGuid’. The argument is empty. Supply an argument that "
         "isn’t empty, and try the command again.", "", KIND.GUID_MISMATCH, None),
        ('The proxy address "SMTP:j doe@contoso.com" is invalid.', "EmailAddresses", KIND.INVALID_VALUE,
         "SMTP:j doe@contoso.com"),
        ('The email address "jdoe@@contoso.com" isn\'t correct. Please use this format: user name, the @ sign, '
         "followed by the domain name.", "", KIND.INVALID_VALUE, "jdoe@@contoso.com"),
        ("The address 'SMTP:jdoe@fabrikam.com' is invalid: \"fabrikam.com\" isn't an accepted domain for your "
         "organization.", "", KIND.INVALID_VALUE, "SMTP:jdoe@fabrikam.com"),
        ('The value "john doe" of property "Alias" isn’t valid.', "Alias", KIND.INVALID_VALUE, "john doe"),
        ("Exchange: An unknown error has occurred. Refer to correlation ID: 3a1f6f3e-0c1d-4f5e-9a8b-7c6d5e4f3a2b",
         "", KIND.UNRECOGNISED, None),
    ],
)
def test_real_exchange_wordings_are_classified(text, parameter, kind, value):
    assert kind_of(text, parameter) == (kind, value)


def test_a_hold_is_recognised_by_the_attribute_exchange_names():
    assert kind_of("Exchange couldn't complete the operation.", "LitigationHoldEnabled") == (KIND.HOLD, None)


def test_a_guid_error_is_not_taken_for_a_duplicate_address():
    kind, value = kind_of(f'The value "{GUID_ONPREM}" of property "ExchangeGuid" is used by another recipient object.')
    assert kind is KIND.GUID_MISMATCH and value == GUID_ONPREM


# -- the value, exactly as quoted --------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    ["smtp:o'brien@contoso.com", "smtp:jürgen.müller@contoso.com", 'smtp:"odd local"@contoso.com',
     "SMTP:björn.o’neill@kontoso.de", "smtp:名前@contoso.jp"],
)
def test_the_value_is_taken_exactly_as_quoted(value):
    text = f'The value "{value}" of property "EmailAddresses" is used by another recipient object.'
    assert kind_of(text) == (KIND.DUPLICATE_VALUE, value)


def test_a_recognised_error_without_a_quoted_value_has_none():
    assert kind_of("This address is used by another recipient object.") == (KIND.DUPLICATE_VALUE, None)


# -- several records, hostile and broken XML ---------------------------------------------
def test_several_records_are_classified_by_the_first_recognised_one():
    detail = xml(
        ("Ex1", "", "Exchange: An unknown error has occurred."),
        ("Ex2", "EmailAddresses", 'The value "smtp:a@contoso.com" of property "EmailAddresses" is used by another '
                                  "recipient object."),
        ("Ex3", "LitigationHoldEnabled", 'Exchange can\'t disable the mailbox "a" because it is on Litigation Hold.'),
    )
    error = parsed(detail)
    assert (error.kind, error.value) == (KIND.DUPLICATE_VALUE, "smtp:a@contoso.com")
    assert error.parameters == ("EmailAddresses", "LitigationHoldEnabled")


@pytest.mark.parametrize(
    "detail",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "is used by another recipient object">]>'
        '<ServiceInstance><ObjectErrors><ErrorRecord><ErrorDescription>The value "smtp:a@contoso.com" &a;'
        "</ErrorDescription></ErrorRecord></ObjectErrors></ServiceInstance>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e; is on Litigation Hold</x>',
        '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b; is invalid</x>',
        '<ServiceInstance><ErrorRecord><ErrorDescription>is used by another recipient object',
        "The value \"smtp:a@contoso.com\" of property \"EmailAddresses\" is used by another recipient object.",
        "",
    ],
)
def test_hostile_broken_or_missing_xml_is_never_classified(detail):
    error = parsed(detail)
    assert (error.kind, error.value) == (KIND.UNRECOGNISED, None)
    assert "root:" not in error.summary and "aaaa" not in error.summary


def test_xml_without_error_records_is_classified_by_its_text():
    error = parsed('<Error>The proxy address "SMTP:a@contoso.com" is already being used.</Error>')
    assert (error.kind, error.value) == (KIND.DUPLICATE_VALUE, "SMTP:a@contoso.com")


def test_a_huge_description_is_classified_quickly_and_without_a_value_from_past_the_cut():
    text = '"' * 100_000 + ' is used by another recipient object'
    assert kind_of(text)[0] is KIND.UNRECOGNISED  # the words are past what is read
    assert kind_of('The value "' + "a" * 5000 + '" is invalid')[0] is KIND.UNRECOGNISED


def test_an_old_constructor_still_builds_an_unrecognised_error():
    error = ServiceError("exchange/x", None, False, "<x/>", "summary")
    assert (error.kind, error.value, error.parameters) == (KIND.UNRECOGNISED, None, ())


# -- the remedy per kind -------------------------------------------------------------------
def error_of(kind: ServiceErrorKind, value: str | None = None, parameters: tuple[str, ...] = (),
             summary: str = "") -> ServiceError:
    return ServiceError("exchange/NAMPRD09", None, False, "<x/>", summary, parameters, kind, value)


def test_a_duplicate_points_at_step_two_and_suggests_removing_the_address():
    fix = remedy(error_of(KIND.DUPLICATE_VALUE, "smtp:approvals@contoso.com", ("EmailAddresses",)), USER)
    assert fix.recognised and fix.label == "duplicate value"
    assert "'smtp:approvals@contoso.com'" in fix.fix and "step 2" in fix.fix
    assert fix.powershell == "Set-ADUser -Identity 'dsiciliani' -Remove @{proxyAddresses='smtp:approvals@contoso.com'}"


def test_a_duplicate_bare_address_is_removed_as_an_smtp_proxy():
    fix = remedy(error_of(KIND.DUPLICATE_VALUE, "approvals@contoso.com"), USER)
    assert fix.powershell is not None and "proxyAddresses='smtp:approvals@contoso.com'" in fix.powershell


def test_a_duplicate_that_is_not_an_address_gets_no_proxy_removal():
    fix = remedy(error_of(KIND.DUPLICATE_VALUE, "John Doe", ("Name",)), USER)
    assert fix.recognised and fix.powershell is None and "'John Doe'" in fix.fix


def test_a_duplicate_value_in_powershell_has_its_quotes_doubled():
    fix = remedy(error_of(KIND.DUPLICATE_VALUE, "smtp:o'brien@contoso.com'; Remove-ADUser x; '"), USER)
    assert fix.powershell == ("Set-ADUser -Identity 'dsiciliani' -Remove "
                              "@{proxyAddresses='smtp:o''brien@contoso.com''; Remove-ADUser x; '''}")


def test_a_hold_suggests_reading_the_holds_with_the_upn_escaped():
    owner = DirectoryObject(id="2", kind=ObjectKind.USER, display_name="Shane O'Neil",
                            user_principal_name="shane.o’neil@contoso.com", sam_account_name="soneil")
    fix = remedy(error_of(KIND.HOLD), owner)
    assert fix.recognised and fix.label == "mailbox on hold"
    assert "Litigation Hold" in fix.fix and "In-Place Hold" in fix.fix and "release" in fix.fix
    assert fix.powershell is not None
    assert fix.powershell.startswith("Get-Mailbox -Identity 'shane.o’’neil@contoso.com' | Format-List ")
    assert "LitigationHoldEnabled" in fix.powershell and "InPlaceHolds" in fix.powershell


def test_a_guid_mismatch_reads_the_cloud_guids_and_names_the_on_premises_attribute():
    archive = remedy(error_of(KIND.GUID_MISMATCH, GUID_ONPREM, ("ArchiveGuid",)), USER)
    assert archive.recognised and archive.label == "mailbox GUID mismatch"
    assert archive.powershell == ("Get-EXOMailbox -Identity 'diego@contoso.com' -Properties ExchangeGuid,"
                                  "ArchiveGuid,ArchiveStatus | Format-List ExchangeGuid,ArchiveGuid,ArchiveStatus")
    assert "msExchArchiveGUID" in archive.fix and GUID_ONPREM in archive.fix
    assert "Set-ADUser -Identity 'dsiciliani' -Replace @{msExchArchiveGUID=" in archive.fix
    mailbox = remedy(error_of(KIND.GUID_MISMATCH, None, (), "Ex: ExchangeGuid differs"), USER)
    assert "msExchMailboxGuid" in mailbox.fix and "msExchArchiveGUID" not in mailbox.fix


def test_an_invalid_value_is_corrected_in_the_source():
    fix = remedy(error_of(KIND.INVALID_VALUE, "SMTP:j doe@contoso.com", ("EmailAddresses",)), USER)
    assert fix.recognised and fix.label == "invalid value" and fix.powershell is None
    assert "'SMTP:j doe@contoso.com'" in fix.fix and "EmailAddresses" in fix.fix and "source" in fix.fix


def test_an_unrecognised_error_gets_the_generic_fix_and_says_it_is_generic():
    fix = remedy(error_of(KIND.UNRECOGNISED), USER)
    assert not fix.recognised and fix.powershell is None
    assert fix.fix.startswith("Correct the value the error names in the object's source")
    assert NOT_RECOGNISED in fix.fix and "does not recognise" in fix.fix


def test_an_object_without_identities_gets_no_powershell():
    bare = DirectoryObject(id="3", kind=ObjectKind.CONTACT, display_name="Nobody")
    for kind, value in ((KIND.DUPLICATE_VALUE, "smtp:a@contoso.com"), (KIND.HOLD, None), (KIND.GUID_MISMATCH, None)):
        fix = remedy(error_of(kind, value), bare)
        assert fix.recognised and fix.powershell is None
