# A small order-pricing model: the Python counterpart of typed-cell.ts.txt, line for line.
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Dict, Generic, Iterator, List, Literal, Protocol, TypeVar, Union

Currency = Literal["EUR", "USD", "GBP"]
Tier = Literal["bronze", "silver", "gold"]
Sku = str

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E")


@dataclass(frozen=True)
class Money:
    cents: int
    currency: Currency = "EUR"


@dataclass
class Product:
    sku: Sku
    name: str
    price: Money
    tags: tuple
    weight_kg: float


@dataclass
class Customer:
    id: int
    name: str
    tier: Tier
    country: str


@dataclass
class OrderLine:
    sku: Sku
    quantity: int


@dataclass
class Order:
    id: int
    customer: Customer
    lines: List[OrderLine]
    placed_at: date


@dataclass
class PricedOrder(Order):
    subtotal: Money = Money(0)
    discount: Money = Money(0)
    shipping: Money = Money(0)
    total: Money = Money(0)


@dataclass(frozen=True)
class Ok(Generic[T]):
    value: T
    ok: bool = True


@dataclass(frozen=True)
class Fail(Generic[E]):
    error: E
    ok: bool = False


Result = Union[Ok[T], Fail[str]]

RATES: Dict[str, float] = {"EUR": 1, "USD": 0.92, "GBP": 1.17}


def money(cents: float, currency: Currency = "EUR") -> Money:
    return Money(math.floor(cents + 0.5), currency)  # Math.round, not banker's rounding


def convert(amount: Money, to: Currency) -> Money:
    if amount.currency == to:
        return amount
    return money(amount.cents * RATES[amount.currency] / RATES[to], to)


def add(a: Money, b: Money) -> Money:
    return money(a.cents + convert(b, a.currency).cents, a.currency)


def scale(a: Money, factor: float) -> Money:
    return money(a.cents * factor, a.currency)


def format_money(amount: Money) -> str:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}
    return f"{symbol[amount.currency]}{amount.cents / 100:.2f}"


class Repository(Generic[K, V]):
    def __init__(self, key_of: Callable[[V], K]) -> None:
        self._items: Dict[K, V] = {}
        self._key_of = key_of

    def add(self, *values: V) -> "Repository[K, V]":
        for value in values:
            self._items[self._key_of(value)] = value
        return self

    def get(self, key: K) -> Result[V]:
        value = self._items.get(key)
        return Fail(f"no item {key}") if value is None else Ok(value)

    def where(self, predicate: Callable[[V], bool]) -> List[V]:
        return [v for v in self._items.values() if predicate(v)]

    @property
    def size(self) -> int:
        return len(self._items)


class DiscountRule(Protocol):
    name: str

    def applies(self, order: Order, subtotal: Money) -> bool: ...

    def amount(self, order: Order, subtotal: Money) -> Money: ...


class TierDiscount:
    name = "tier"
    PERCENT: Dict[str, float] = {"bronze": 0, "silver": 0.05, "gold": 0.1}

    def applies(self, order: Order, subtotal: Money) -> bool:
        return TierDiscount.PERCENT[order.customer.tier] > 0

    def amount(self, order: Order, subtotal: Money) -> Money:
        return scale(subtotal, TierDiscount.PERCENT[order.customer.tier])


class BulkDiscount:
    name = "bulk"

    def __init__(self, min_items: int, percent: float) -> None:
        self.min_items = min_items
        self.percent = percent

    def applies(self, order: Order, subtotal: Money) -> bool:
        return sum(line.quantity for line in order.lines) >= self.min_items

    def amount(self, order: Order, subtotal: Money) -> Money:
        return scale(subtotal, self.percent)


class ShippingPolicy(ABC):
    @abstractmethod
    def cost(self, weight_kg: float, country: str) -> Money: ...

    def describe(self, weight_kg: float, country: str) -> str:
        return f"{weight_kg:.1f} kg to {country}: {format_money(self.cost(weight_kg, country))}"


class ZoneShipping(ShippingPolicy):
    def __init__(self, domestic: str, per_kg_cents: int) -> None:
        self.domestic = domestic
        self.per_kg_cents = per_kg_cents

    def cost(self, weight_kg: float, country: str) -> Money:
        base = 490 if country == self.domestic else 1290
        return money(base + math.ceil(weight_kg) * self.per_kg_cents)


class Pricer:
    def __init__(self, products: Repository[Sku, Product], rules: List[DiscountRule], shipping: ShippingPolicy) -> None:
        self.products = products
        self.rules = rules
        self.shipping = shipping

    def price(self, order: Order) -> Result[PricedOrder]:
        subtotal = money(0)
        weight = 0.0
        for line in order.lines:
            product = self.products.get(line.sku)
            if not isinstance(product, Ok):
                return product
            subtotal = add(subtotal, scale(product.value.price, line.quantity))
            weight += product.value.weight_kg * line.quantity
        discount = money(0)
        for rule in self.rules:
            if rule.applies(order, subtotal):
                discount = add(discount, rule.amount(order, subtotal))
        shipping = self.shipping.cost(weight, order.customer.country)
        total = add(add(subtotal, scale(discount, -1)), shipping)
        return Ok(PricedOrder(order.id, order.customer, order.lines, order.placed_at, subtotal, discount, shipping, total))


def group_by(items: List[T], key_of: Callable[[T], K]) -> Dict[K, List[T]]:
    groups: Dict[K, List[T]] = {}
    for item in items:
        groups.setdefault(key_of(item), []).append(item)
    return groups


def sum_by(items: List[T], value_of: Callable[[T], float]) -> float:
    return sum(value_of(item) for item in items)


# A deterministic pseudo-random generator, so every run prices the same orders.
def lcg(seed: int) -> Iterator[float]:
    state = seed
    while True:
        state = (state * 48271) % 2147483647  # MINSTD, as in the TypeScript cell
        yield state / 2147483647


random_numbers = lcg(42)
next_random = lambda: next(random_numbers)
pick = lambda items: items[math.floor(next_random() * len(items))]

products: Repository[Sku, Product] = Repository(lambda p: p.sku).add(*[
    Product(f"SKU-{1000 + i}", f"Item {i}", money(199 + math.floor(next_random() * 9800), pick(["EUR", "USD", "GBP"])),
            ("sale",) if i % 3 == 0 else (), 0.1 + next_random() * 4)
    for i in range(40)
])

customers = [Customer(i, f"Customer {i}", pick(["bronze", "silver", "gold"]), pick(["DE", "FR", "NL", "US"])) for i in range(25)]

orders = [
    Order(i, pick(customers),
          [OrderLine(f"SKU-{1000 + math.floor(next_random() * 40)}", 1 + math.floor(next_random() * 6)) for _ in range(1 + math.floor(next_random() * 5))],
          date(2024, 1, 1) + timedelta(days=i % 90))
    for i in range(300)
]

pricer = Pricer(products, [TierDiscount(), BulkDiscount(12, 0.03)], ZoneShipping("DE", 120))
priced = [r.value for r in (pricer.price(o) for o in orders) if isinstance(r, Ok)]
by_tier = group_by(priced, lambda o: o.customer.tier)
revenue = {tier: format_money(money(sum_by(tier_orders, lambda o: o.total.cents))) for tier, tier_orders in by_tier.items()}

{"orders": len(priced), "products": products.size, "revenue": revenue, "sample": ZoneShipping("DE", 120).describe(3.2, "FR")}
