//! A deterministic generator of realistic search documents: the same seed gives the same
//! million products on every machine, so search benchmarks compare like with like.
//!
//! Products have a brand, a name built like shops name things ("Norvik Wireless
//! Headphones X200"), a category two levels deep, a description of 20–40 words drawn
//! from a shop vocabulary, one or two SKUs, a USD price from 2.99 to about 2,500 with
//! EUR at 0.92 of it, a rating, sales and stock. Word frequencies are skewed (some words
//! are common, most rare), as in real catalogs.

use std::collections::BTreeMap;

use chrono::Duration;
use commerce_core::money::Money;
use commerce_core::search::{SearchDocument, SearchRating};
use commerce_core::{CategoryId, Currency, ProductId, ShopId};
use rust_decimal::Decimal;

use crate::fixtures::now;
use crate::generate::Sequence;

/// Departments and their aisles: the category tree of the generated catalog.
pub const DEPARTMENTS: [(&str, [&str; 5]); 8] = [
    (
        "Electronics",
        ["Phones", "Laptops", "Headphones", "Cameras", "Televisions"],
    ),
    (
        "Home",
        ["Kitchen", "Furniture", "Lighting", "Bedding", "Storage"],
    ),
    (
        "Garden",
        ["Tools", "Plants", "Furniture", "Grills", "Watering"],
    ),
    (
        "Sports",
        ["Running", "Cycling", "Camping", "Fitness", "Swimming"],
    ),
    ("Fashion", ["Shoes", "Jackets", "Shirts", "Bags", "Watches"]),
    ("Toys", ["Puzzles", "Building", "Dolls", "Outdoor", "Games"]),
    (
        "Beauty",
        ["Skincare", "Haircare", "Fragrance", "Makeup", "Shaving"],
    ),
    ("Office", ["Paper", "Pens", "Desks", "Chairs", "Printers"]),
];

const NOUNS: [&str; 8] = [
    "Smartphone Phone Charger Case Cable Adapter Tablet Router",
    "Laptop Notebook Keyboard Mouse Monitor Dock Webcam Stand",
    "Headphones Earbuds Speaker Soundbar Amplifier Microphone Turntable Radio",
    "Kettle Toaster Blender Mixer Skillet Saucepan Knife Grinder",
    "Lamp Chair Table Shelf Mattress Pillow Blanket Basket",
    "Shoes Sneakers Jacket Backpack Watch Sunglasses Gloves Scarf",
    "Bicycle Helmet Tent Sleeping Bag Dumbbell Yoga Mat Bottle",
    "Puzzle Drone Robot Blocks Doll Kite Board Game",
];

const ADJECTIVES: &str = "Wireless Portable Compact Premium Classic Smart Ultra Pro Mini Max \
    Lightweight Waterproof Ergonomic Vintage Modern Organic Stainless Bamboo Leather Ceramic \
    Digital Electric Foldable Adjustable Rechargeable Noise-Cancelling Bluetooth Outdoor \
    Heavy-Duty Slim Deluxe Essential Everyday Travel Studio Kids";

const VOCABULARY: &str = "quality design durable comfortable easy use everyday perfect gift \
    home office travel battery life fast charging warranty included material finish colour \
    black white silver blue red green grey size small medium large weight light sturdy \
    premium soft cotton steel aluminium glass wood plastic recycled water resistant dust \
    proof clean simple setup compatible devices app control power efficient quiet powerful \
    sound clear bass crisp display bright sharp screen touch storage capacity space saving \
    fits most kitchens rooms desks bags pockets grip handle strap adjustable removable \
    washable dishwasher safe oven microwave hand wash care instructions inside box contains \
    cable charger manual user guide made by trusted brand since designed tested rated best \
    seller customers love reviews stars award winning limited edition new model improved \
    version upgrade older models replacement parts available separately accessories sold";

const SYLLABLES: [&str; 24] = [
    "nor", "vik", "zen", "tro", "lu", "mar", "kel", "sa", "dri", "fo", "ta", "bel", "qua", "rix",
    "om", "pel", "dan", "ko", "vi", "sto", "ra", "gen", "ly", "wex",
];

/// How many brands the generator draws from.
pub const BRANDS: usize = 400;

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// A brand name made of two or three syllables, capitalised ("Norvik").
pub fn brand(n: usize) -> String {
    let mut random = Sequence::new(n as u64 ^ 0xB4A7D);
    let parts = 2 + random.below(2) as usize;
    let mut name: String = (0..parts)
        .map(|_| SYLLABLES[random.below(SYLLABLES.len() as u64) as usize])
        .collect();
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    name
}

/// A skewed pick in `0..n`: low indexes are much more likely (about Zipf-like).
fn skewed(random: &mut Sequence, n: usize) -> usize {
    let a = random.below(n as u64);
    let b = random.below(n as u64);
    a.min(b).min(random.below(n as u64)) as usize
}

/// A generated product's category and its department, nearest first, with names (ids
/// are fixed: department `d` is `10_000 + 100 d`, its aisle `a` that plus `a + 1`).
pub fn category_of(department: usize, aisle: usize) -> [(CategoryId, String); 2] {
    let (dept, aisles) = DEPARTMENTS[department % DEPARTMENTS.len()];
    let aisle_name = aisles[aisle % aisles.len()];
    [
        (
            CategoryId::from_u128(10_000 + 100 * department as u128 + aisle as u128 + 1),
            aisle_name.to_owned(),
        ),
        (
            CategoryId::from_u128(10_000 + 100 * department as u128),
            dept.to_owned(),
        ),
    ]
}

/// The `n`th generated product (0-based) of the catalog seeded `seed`.
pub fn product(seed: u64, n: u64) -> SearchDocument {
    let mut random = Sequence::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ n);
    let adjectives = words(ADJECTIVES);
    let vocabulary = words(VOCABULARY);
    let department = random.below(DEPARTMENTS.len() as u64) as usize;
    let aisle = random.below(5) as usize;
    let nouns = words(NOUNS[department % NOUNS.len()]);
    let brand_name = brand(skewed(&mut random, BRANDS));
    let noun = nouns[random.below(nouns.len() as u64) as usize];
    let adjective = adjectives[skewed(&mut random, adjectives.len())];
    let model = match random.below(4) {
        0 => format!(
            " {}{}",
            (b'A' + random.below(26) as u8) as char,
            100 * (1 + random.below(9))
        ),
        1 => format!(" {}", 2 + random.below(14)),
        _ => String::new(),
    };
    let name = format!("{brand_name} {adjective} {noun}{model}");
    let length = 20 + random.below(21) as usize;
    let mut description: Vec<&str> = (0..length)
        .map(|_| vocabulary[skewed(&mut random, vocabulary.len())])
        .collect();
    description.insert(random.below(length as u64) as usize, noun);
    let cents = 299 + skewed(&mut random, 250_000) as i64;
    let usd = Decimal::new(cents - cents % 100 + 99, 2);
    let eur = (usd * Decimal::new(92, 2)).round_dp(2);
    let mut prices = BTreeMap::new();
    prices.insert(Currency::USD, Money::new(usd, Currency::USD));
    prices.insert(Currency::EUR, Money::new(eur, Currency::EUR));
    let count = random.below(500) as u32;
    let average = if count == 0 {
        Decimal::ZERO
    } else {
        Decimal::new(10 + random.below(41) as i64, 1)
    };
    let [(aisle_id, aisle_name), (dept_id, dept_name)] = category_of(department, aisle);
    let skus = (0..1 + random.below(2))
        .map(|v| format!("{}-{n:07}-{v}", brand_name.to_uppercase()))
        .collect();
    SearchDocument {
        product: ProductId::from_u128(u128::from(seed) << 64 | u128::from(n)),
        shop: ShopId::from_u128(1 + u128::from(random.below(50))),
        name,
        description: description.join(" "),
        brand: Some(brand_name),
        categories: vec![aisle_id, dept_id],
        category_names: vec![aisle_name, dept_name],
        skus,
        prices,
        in_stock: random.below(10) != 0,
        rating: SearchRating { average, count },
        sales: skewed(&mut random, 20_000) as u64,
        created_at: now() - Duration::minutes(random.below(525_600) as i64),
    }
}

/// Products `0..count` of the catalog seeded `seed`.
pub fn products(seed: u64, count: u64) -> impl Iterator<Item = SearchDocument> {
    (0..count).map(move |n| product(seed, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_products_and_they_look_real() {
        let first: Vec<SearchDocument> = products(7, 50).collect();
        assert_eq!(first, products(7, 50).collect::<Vec<_>>());
        assert_ne!(first, products(8, 50).collect::<Vec<_>>());
        let ids: std::collections::BTreeSet<_> = first.iter().map(|d| d.product).collect();
        assert_eq!(ids.len(), 50);
        for doc in &first {
            assert!(doc.name.split(' ').count() >= 3, "{}", doc.name);
            assert!(doc.description.split(' ').count() >= 20);
            assert!(
                doc.price_in(Currency::USD)
                    .is_some_and(|p| p > Decimal::ONE)
            );
            assert_eq!(doc.categories.len(), 2);
            assert!(doc.rating.average <= Decimal::new(50, 1));
        }
    }
}
