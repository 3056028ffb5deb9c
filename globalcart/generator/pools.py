"""Small value pools: countries, cities, catalog taxonomy, names (Faker only here, seeded)."""

from __future__ import annotations

from dataclasses import dataclass

from faker import Faker


@dataclass(frozen=True)
class Country:
    name: str
    code: str
    region: str
    currency: str
    rate_to_usd: float  # starting FX rate (USD per unit of currency)
    tax_rate: float
    weight: float  # share of customers
    cities: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "United States",
        "US",
        "North America",
        "USD",
        1.0,
        0.07,
        0.34,
        ("New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Miami"),
    ),
    Country(
        "Canada",
        "CA",
        "North America",
        "CAD",
        0.74,
        0.13,
        0.06,
        ("Toronto", "Vancouver", "Montreal"),
    ),
    Country(
        "Mexico",
        "MX",
        "Latin America",
        "MXN",
        0.058,
        0.16,
        0.04,
        ("Mexico City", "Guadalajara", "Monterrey"),
    ),
    Country(
        "Brazil",
        "BR",
        "Latin America",
        "BRL",
        0.19,
        0.17,
        0.05,
        ("São Paulo", "Rio de Janeiro", "Belo Horizonte"),
    ),
    Country(
        "United Kingdom",
        "GB",
        "Europe",
        "GBP",
        1.27,
        0.20,
        0.12,
        ("London", "Manchester", "Birmingham", "Glasgow"),
    ),
    Country(
        "Germany",
        "DE",
        "Europe",
        "EUR",
        1.09,
        0.19,
        0.10,
        ("Berlin", "Munich", "Hamburg", "Cologne"),
    ),
    Country("France", "FR", "Europe", "EUR", 1.09, 0.20, 0.07, ("Paris", "Lyon", "Marseille")),
    Country("Spain", "ES", "Europe", "EUR", 1.09, 0.21, 0.04, ("Madrid", "Barcelona", "Valencia")),
    Country(
        "India",
        "IN",
        "Asia Pacific",
        "INR",
        0.012,
        0.18,
        0.07,
        ("Mumbai", "Bengaluru", "Delhi", "Chennai"),
    ),
    Country("Japan", "JP", "Asia Pacific", "JPY", 0.0068, 0.10, 0.04, ("Tokyo", "Osaka", "Nagoya")),
    Country(
        "Australia",
        "AU",
        "Asia Pacific",
        "AUD",
        0.66,
        0.10,
        0.05,
        ("Sydney", "Melbourne", "Brisbane"),
    ),
    Country("Singapore", "SG", "Asia Pacific", "SGD", 0.74, 0.09, 0.02, ("Singapore",)),
)

# Fulfillment centers: (name, country code, timezone, regions served).
FULFILLMENT_CENTERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("FC New Jersey", "US", "America/New_York", ("North America",)),
    ("FC Reno", "US", "America/Los_Angeles", ("North America", "Latin America")),
    ("FC Leipzig", "DE", "Europe/Berlin", ("Europe",)),
    ("FC Coventry", "GB", "Europe/London", ("Europe",)),
    ("FC Singapore", "SG", "Asia/Singapore", ("Asia Pacific",)),
)

# Carriers by region with (SLA days promised, mean transit days, breach tendency, base cost USD).
CARRIERS: dict[str, tuple[tuple[str, int, float, float], ...]] = {
    "North America": (("UPS", 3, 2.6, 6.5), ("FedEx", 2, 2.1, 8.0), ("USPS", 4, 3.9, 4.8)),
    "Latin America": (("DHL", 6, 5.4, 14.0), ("FedEx", 5, 4.9, 16.0)),
    "Europe": (("DHL", 3, 2.5, 5.9), ("DPD", 3, 3.0, 4.9), ("Royal Mail", 2, 2.2, 4.2)),
    "Asia Pacific": (("DHL", 4, 3.4, 9.5), ("Ninja Van", 3, 3.3, 6.0), ("Japan Post", 3, 2.6, 7.0)),
}

# Catalog taxonomy: category_l1 -> (subcategories, USD price range, margin range, return rate).
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[float, float], tuple[float, float], float]] = {
    "Electronics": (
        ("Headphones", "Chargers", "Smart Home", "Cameras", "Speakers"),
        (15, 600),
        (0.15, 0.35),
        0.09,
    ),
    "Apparel": (
        ("T-Shirts", "Jackets", "Shoes", "Dresses", "Activewear"),
        (12, 220),
        (0.45, 0.65),
        0.18,
    ),
    "Home & Kitchen": (
        ("Cookware", "Bedding", "Decor", "Storage", "Lighting"),
        (8, 350),
        (0.35, 0.55),
        0.07,
    ),
    "Beauty": (("Skincare", "Makeup", "Fragrance", "Hair Care"), (6, 150), (0.55, 0.75), 0.05),
    "Sports & Outdoors": (("Camping", "Fitness", "Cycling", "Yoga"), (10, 480), (0.30, 0.50), 0.08),
    "Toys & Games": (
        ("Board Games", "Puzzles", "Building Sets", "Outdoor Toys"),
        (7, 140),
        (0.35, 0.55),
        0.05,
    ),
    "Books": (("Fiction", "Non-Fiction", "Children", "Cookbooks"), (5, 60), (0.25, 0.40), 0.03),
    "Grocery": (("Coffee & Tea", "Snacks", "Pantry"), (4, 45), (0.20, 0.35), 0.02),
}

ACQUISITION_CHANNELS = (
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
    "affiliate",
    "direct",
)
ACQUISITION_WEIGHTS = (0.24, 0.22, 0.18, 0.08, 0.08, 0.06, 0.14)
TRAFFIC_SOURCES = ("organic", "paid_search", "social", "email", "direct", "referral", "affiliate")
TRAFFIC_WEIGHTS = (0.28, 0.2, 0.18, 0.08, 0.16, 0.06, 0.04)
# Relative propensity of a session from each source to convert (email and direct convert best).
TRAFFIC_CONVERSION = (1.0, 1.1, 0.55, 1.6, 1.45, 1.2, 0.9)
# Campaign channel used to attribute sessions from a traffic source (None: no campaign).
SOURCE_CAMPAIGN_CHANNEL = (None, "paid_search", "social", "email", None, None, "affiliate")
CAMPAIGN_CHANNELS = ("paid_search", "social", "email", "affiliate", "display")
SALES_CHANNELS = ("web", "mobile_app", "marketplace")
SALES_CHANNEL_WEIGHTS = (0.55, 0.35, 0.10)
DEVICES = ("desktop", "mobile", "tablet")
# Device mix by sales channel (rows follow SALES_CHANNELS).
DEVICE_BY_CHANNEL = ((0.62, 0.30, 0.08), (0.0, 0.88, 0.12), (0.45, 0.48, 0.07))
DEVICE_CONVERSION = (1.25, 0.85, 1.0)
PAYMENT_METHODS = ("card", "paypal", "apple_pay", "bank_transfer", "klarna")
PAYMENT_METHOD_WEIGHTS = (0.58, 0.2, 0.1, 0.05, 0.07)
# Providers per method and their base failure probability per attempt.
PROVIDERS: dict[str, tuple[tuple[str, float], ...]] = {
    "card": (("stripe", 0.045), ("adyen", 0.06), ("braintree", 0.075)),
    "paypal": (("paypal", 0.035),),
    "apple_pay": (("stripe", 0.02), ("adyen", 0.025)),
    "bank_transfer": (("adyen", 0.12),),
    "klarna": (("klarna", 0.09),),
}
# Extra failure multiplier by country (cross-border card acceptance varies).
COUNTRY_FAILURE_FACTOR = {"BR": 2.2, "IN": 1.9, "MX": 1.7, "JP": 1.2, "SG": 0.9}
FAILURE_REASONS = (
    "card_declined",
    "insufficient_funds",
    "bank_unavailable",
    "fraud_suspected",
    "authentication_failed",
)
FAILURE_REASON_WEIGHTS = (0.42, 0.25, 0.13, 0.08, 0.12)
RETURN_REASONS = (
    "wrong_size",
    "damaged",
    "not_as_described",
    "changed_mind",
    "late_delivery",
    "defective",
)
RETURN_REASON_WEIGHTS = (0.28, 0.12, 0.18, 0.22, 0.08, 0.12)
PROMO_CODES = ("WELCOME10", "SAVE15", "FLASH20", "VIP25", "FREESHIP", "HOLIDAY20")
LANDING_PAGES = ("/", "/category", "/product", "/search", "/deals", "/blog")
SEGMENT_SHARES = (0.16, 0.54, 0.30)  # Premium, Regular, Budget
SEGMENT_FREQUENCY = (3.2, 1.0, 0.55)  # relative purchase frequency
SEGMENT_BASKET = (1.6, 0.9, 0.5)  # mean extra lines per order (lines = 1 + Poisson)
SEGMENT_PRICE_TILT = (1.8, 1.0, 0.6)  # preference for pricier products
SEGMENT_LIFETIME_YEARS = (3.0, 1.6, 0.9)  # mean time a customer stays active before lapsing


@dataclass(frozen=True)
class NamePools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    email_domains: tuple[str, ...]


def name_pools(seed: int, size: int = 400) -> NamePools:
    """Seeded Faker value pools (the only use of Faker: drawing many rows from it would be slow)."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    firsts = tuple(sorted({fake.first_name() for _ in range(size * 2)}))[:size]
    lasts = tuple(sorted({fake.last_name() for _ in range(size * 2)}))[:size]
    brands = tuple(sorted({fake.company().split(" ")[0].strip(",") for _ in range(400)}))[:120]
    adjectives = tuple(sorted({fake.word().capitalize() for _ in range(600)}))[:200]
    domains = ("example.com", "mail.test", "inbox.test", "post.example", "web.test")
    return NamePools(firsts, lasts, brands, adjectives, domains)
