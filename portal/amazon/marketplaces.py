"""Amazon marketplaces: region, marketplace id and Seller Central host (developer guide tables)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

REGIONS = ("NA", "EU", "FE")
# The marketplace a new connection gets when only its region is known.
REGION_DEFAULTS = {"NA": "US", "EU": "DE", "FE": "JP"}
# The marketplace a merchant most likely sells on, from their language.
LANGUAGE_DEFAULTS = {
    "fr": "FR", "de": "DE", "en": "UK", "es": "ES", "it": "IT",
    "nl": "NL", "pl": "PL", "sv": "SE", "ar": "AE", "ja": "JP",
}  # fmt: skip
SPAPI_HOSTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


@dataclass(frozen=True)
class Marketplace:
    code: str  # country code, as merchants know it
    marketplace_id: str
    region: str
    domain: str  # the shop's domain, its name for merchants
    seller_central: str
    vendor_central: str


MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        Marketplace("US", "ATVPDKIKX0DER", "NA", "amazon.com", "https://sellercentral.amazon.com", "https://vendorcentral.amazon.com"),
        Marketplace("CA", "A2EUQ1WTGCTBG2", "NA", "amazon.ca", "https://sellercentral.amazon.ca", "https://vendorcentral.amazon.ca"),
        Marketplace("MX", "A1AM78C64UM0Y8", "NA", "amazon.com.mx", "https://sellercentral.amazon.com.mx", "https://vendorcentral.amazon.com.mx"),
        Marketplace("BR", "A2Q3Y263D00KWC", "NA", "amazon.com.br", "https://sellercentral.amazon.com.br", "https://vendorcentral.amazon.com.br"),
        Marketplace("FR", "A13V1IB3VIYZZH", "EU", "amazon.fr", "https://sellercentral-europe.amazon.com", "https://vendorcentral.amazon.fr"),
        Marketplace("DE", "A1PA6795UKMFR9", "EU", "amazon.de", "https://sellercentral-europe.amazon.com", "https://vendorcentral.amazon.de"),
        Marketplace("UK", "A1F83G8C2ARO7P", "EU", "amazon.co.uk", "https://sellercentral-europe.amazon.com", "https://vendorcentral.amazon.co.uk"),
        Marketplace("IT", "APJ6JRA9NG5V4", "EU", "amazon.it", "https://sellercentral-europe.amazon.com", "https://vendorcentral.amazon.it"),
        Marketplace("ES", "A1RKKUPIHCS9HS", "EU", "amazon.es", "https://sellercentral-europe.amazon.com", "https://vendorcentral.amazon.es"),
        Marketplace("NL", "A1805IZSGTT6HS", "EU", "amazon.nl", "https://sellercentral.amazon.nl", "https://vendorcentral.amazon.nl"),
        Marketplace("SE", "A2NODRKZP88ZB9", "EU", "amazon.se", "https://sellercentral.amazon.se", "https://vendorcentral.amazon.se"),
        Marketplace("PL", "A1C3SOZRARQ6R3", "EU", "amazon.pl", "https://sellercentral.amazon.pl", "https://vendorcentral.amazon.pl"),
        Marketplace("BE", "AMEN7PMS3EDWL", "EU", "amazon.com.be", "https://sellercentral.amazon.com.be", "https://vendorcentral.amazon.com.be"),
        Marketplace("IE", "A28R8C7NBKEWEA", "EU", "amazon.ie", "https://sellercentral.amazon.ie", "https://vendorcentral.amazon.ie"),
        Marketplace("TR", "A33AVAJ2PDY3EV", "EU", "amazon.com.tr", "https://sellercentral.amazon.com.tr", "https://vendorcentral.amazon.com.tr"),
        Marketplace("AE", "A2VIGQ35RCS4UG", "EU", "amazon.ae", "https://sellercentral.amazon.ae", "https://vendorcentral.amazon.me"),
        Marketplace("SA", "A17E79C6D8DWNP", "EU", "amazon.sa", "https://sellercentral.amazon.sa", "https://vendorcentral.amazon.me"),
        Marketplace("EG", "ARBP9OOSHTCHU", "EU", "amazon.eg", "https://sellercentral.amazon.eg", "https://vendorcentral.amazon.me"),
        Marketplace("IN", "A21TJRUUN4KGV", "EU", "amazon.in", "https://sellercentral.amazon.in", "https://vendorcentral.amazon.in"),
        Marketplace("ZA", "AE08WJ6YKNBMC", "EU", "amazon.co.za", "https://sellercentral.amazon.co.za", "https://vendorcentral.amazon.co.za"),
        Marketplace("JP", "A1VC38T7YXB528", "FE", "amazon.co.jp", "https://sellercentral.amazon.co.jp", "https://vendorcentral.amazon.co.jp"),
        Marketplace("AU", "A39IBJ37TRP1C6", "FE", "amazon.com.au", "https://sellercentral.amazon.com.au", "https://vendorcentral.amazon.com.au"),
        Marketplace("SG", "A19VAU5U5O7RUS", "FE", "amazon.sg", "https://sellercentral.amazon.sg", "https://vendorcentral.amazon.com.sg"),
    )
}  # fmt: skip

# Hosts seen in the wild besides the table above; Amazon's current table is unconfirmed.
EXTRA_CENTRAL_HOSTS = {
    "sellercentral.amazon.fr": "EU", "sellercentral.amazon.de": "EU",
    "sellercentral.amazon.co.uk": "EU", "sellercentral.amazon.it": "EU",
    "sellercentral.amazon.es": "EU", "sellercentral-japan.amazon.com": "FE",
}  # fmt: skip


def country_code(code: str) -> str:
    """The ISO 3166 code of a marketplace's country: Amazon calls the United Kingdom "UK"."""
    return "GB" if code == "UK" else code


def central_hosts() -> dict[str, str]:
    """Every Seller and Vendor Central host an amazon_callback_uri may point at, with its region."""
    hosts = dict(EXTRA_CENTRAL_HOSTS)
    for marketplace in MARKETPLACES.values():
        for url in (marketplace.seller_central, marketplace.vendor_central):
            hosts[urlsplit(url).hostname] = marketplace.region
    return hosts
