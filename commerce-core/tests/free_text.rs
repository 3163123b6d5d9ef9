//! One rule for free text: every field people type is trimmed, bounded in characters and
//! free of control characters (long text may hold line feeds and tabs), and a refusal
//! names the field. Through the public parsers and the use cases that take text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use commerce_core::catalog::{
    Category, Media, NewProduct, Product, ProductStatus, Shop, Sku, Variant, Weight,
};
use commerce_core::identity::{NewAddress, Principal, Profile};
use commerce_core::memory::Memory;
use commerce_core::payment::IdempotencyKey;
use commerce_core::pricing::{CustomerGroup, Promotion};
use commerce_core::review::{NewReview, Rating, Review, ReviewText};
use commerce_core::shipping::Consignment;
use commerce_core::{
    CategoryId, CheckoutRequest, CustomerId, ErrorKind, ProductId, PromotionId, ReviewId, SellerId,
    ShopId, VariantId,
};
use commerce_testkit::fixtures::now;
use commerce_testkit::orders::{address, install, two_shops};
use proptest::prelude::*;

fn invalid(field: &'static str) -> Option<ErrorKind> {
    Some(ErrorKind::InvalidInput { field })
}

fn refusal<T>(result: Result<T, commerce_core::Error>) -> Option<ErrorKind> {
    result.err().map(|e| e.kind())
}

fn new_product() -> NewProduct {
    NewProduct {
        id: ProductId::from_u128(1),
        shop: ShopId::from_u128(1),
        name: "Mug".into(),
        slug: None,
        description: String::new(),
        status: ProductStatus::Active,
        category: None,
        brand: None,
        attributes: BTreeMap::new(),
        tax_category: Default::default(),
        media: Vec::new(),
        variants: vec![Variant::new(
            VariantId::from_u128(1),
            Sku::parse("MUG-1").unwrap(),
            Weight::grams(300),
        )],
        created_at: now(),
    }
}

fn product_with(change: impl FnOnce(&mut NewProduct)) -> Option<ErrorKind> {
    let mut new = new_product();
    change(&mut new);
    refusal(Product::new(new))
}

#[test]
fn a_product_description_of_a_mebibyte_is_refused() {
    let huge = "x".repeat(1 << 20);
    assert_eq!(
        product_with(|p| p.description = huge),
        invalid("description")
    );
}

#[test]
fn a_product_description_keeps_lines_but_refuses_nul() {
    let mut new = new_product();
    new.description = "Holds 300 ml.\r\n\tDishwasher safe.\n".into();
    let product = Product::new(new).unwrap();
    assert_eq!(product.description(), "Holds 300 ml.\n\tDishwasher safe.");
    assert_eq!(
        product_with(|p| p.description = "a\0b".into()),
        invalid("description")
    );
}

#[test]
fn product_attributes_options_and_media_refuse_control_characters() {
    assert_eq!(
        product_with(|p| {
            p.attributes.insert("material".into(), "clay\0".into());
        }),
        invalid("attributes")
    );
    assert_eq!(
        product_with(|p| {
            p.attributes.insert("mat\nerial".into(), "clay".into());
        }),
        invalid("attributes")
    );
    assert_eq!(
        product_with(|p| p.variants[0] = p.variants[0].clone().with_option("size", "X\u{1b}L")),
        invalid("options")
    );
    assert_eq!(
        product_with(|p| p.media.push(Media {
            url: "https://example.com/mug.png".into(),
            alt: "a mug\0".into(),
            position: 0,
        })),
        invalid("media")
    );
}

#[test]
fn names_of_shops_categories_brands_and_promotions_follow_the_one_rule() {
    let seller = SellerId::from_u128(1);
    assert_eq!(
        refusal(Shop::new(ShopId::from_u128(1), seller, "Ann\0's")),
        invalid("name")
    );
    assert_eq!(
        refusal(Category::new(
            CategoryId::from_u128(1),
            None,
            &"é".repeat(101)
        )),
        invalid("name")
    );
    let at_the_limit = format!("a{}", "é".repeat(99));
    assert!(Category::new(CategoryId::from_u128(1), None, &at_the_limit).is_ok());
    assert_eq!(
        product_with(|p| p.brand = Some("Acme\u{7f}".into())),
        invalid("brand")
    );
    let benefit = commerce_core::pricing::Benefit::FreeShipping;
    assert_eq!(
        refusal(Promotion::new(PromotionId::from_u128(1), "Sa\nle", benefit)),
        invalid("name")
    );
    assert_eq!(
        refusal(CustomerGroup::parse("vip\0")),
        invalid("customer_group")
    );
    assert_eq!(
        refusal(Consignment::parse("D\tHL", "123")),
        invalid("carrier")
    );
}

#[test]
fn review_text_refuses_nul_but_keeps_its_lines() {
    assert_eq!(
        refusal(ReviewText::parse(None, Some("great\0mug"))),
        invalid("text")
    );
    let parsed = ReviewText::parse(Some("Great"), Some("Line one\r\nLine two")).unwrap();
    assert_eq!(parsed.text(), Some("Line one\nLine two"));
}

#[test]
fn a_seller_reply_refuses_control_characters() {
    let mut review = review();
    let seller = SellerId::from_u128(1);
    assert_eq!(
        refusal(review.reply(seller, "Thanks\0", now())),
        invalid("reply")
    );
    assert!(review.reply(seller, "Thanks!\n\n— Ann", now()).is_ok());
}

fn ship_to(change: impl FnOnce(&mut NewAddress)) -> NewAddress {
    let mut address = address();
    change(&mut address);
    address
}

#[tokio::test]
async fn checkout_refuses_control_characters_in_every_address_field() {
    let (store, mug, _) = two_shops();
    let memory = Memory::new();
    memory.clock.set(now());
    install(&store, &memory.stores, 5, now()).await;
    let engine = memory.commerce();
    let alice = CustomerId::from_u128(1);
    let cart = store.customer_cart(alice, &[(mug, 1)], now());
    memory
        .stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .unwrap();
    let cases: [(&'static str, NewAddress); 4] = [
        (
            "ship_to.line2",
            ship_to(|a| a.line2 = Some("Flat 2\0".into())),
        ),
        (
            "ship_to.region",
            ship_to(|a| a.region = Some("C\u{1b}A".into())),
        ),
        (
            "ship_to.phone",
            ship_to(|a| a.phone = Some("555\n0100".into())),
        ),
        ("ship_to.name", ship_to(|a| a.name = "x".repeat(201))),
    ];
    for (n, (field, ship_to)) in cases.into_iter().enumerate() {
        let request = CheckoutRequest {
            cart: cart.id(),
            ship_to,
            shipping_method: None,
            expected_total: None,
            idempotency_key: IdempotencyKey::parse(&format!("key-{n}")).unwrap(),
        };
        let refused = engine.checkout(Principal::Customer(alice), request).await;
        assert_eq!(refusal(refused), invalid(field));
    }
    assert!(
        memory
            .stores
            .orders
            .orders_of_customer(alice)
            .await
            .unwrap()
            .is_empty()
    );
}

/// What the one rule makes of `raw` for a field of `max` characters: `Ok(None)` when
/// blank, the trimmed text when acceptable, `Err(())` otherwise.
fn by_the_rule(raw: &str, max: usize, several_lines: bool) -> Result<Option<String>, ()> {
    let unified = if several_lines {
        raw.replace("\r\n", "\n")
    } else {
        raw.to_owned()
    };
    let text = unified.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let allowed = |c: char| several_lines && (c == '\n' || c == '\t');
    if text.chars().count() > max || text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(());
    }
    Ok(Some(text.to_owned()))
}

type Parse = Box<dyn Fn(&str) -> Result<Option<String>, commerce_core::Error>>;

/// One free-text parser: its field, limit, whether lines are allowed, whether a blank
/// value is refused, whether an accepted value comes back exactly as the rule says (a
/// derived slug may still refuse some), and the parser.
struct FreeText {
    field: &'static str,
    max: usize,
    several_lines: bool,
    required: bool,
    exact: bool,
    parse: Parse,
}

fn free_text(
    field: &'static str,
    max: usize,
    several_lines: bool,
    required: bool,
    parse: impl Fn(&str) -> Result<Option<String>, commerce_core::Error> + 'static,
) -> FreeText {
    FreeText {
        field,
        max,
        several_lines,
        required,
        exact: true,
        parse: Box::new(parse),
    }
}

fn product(change: impl FnOnce(&mut NewProduct)) -> Result<Product, commerce_core::Error> {
    let mut new = new_product();
    new.slug = Some(commerce_core::catalog::Slug::parse("mug").unwrap());
    change(&mut new);
    Product::new(new)
}

fn review() -> Review {
    Review::create(NewReview {
        id: ReviewId::from_u128(1),
        product: ProductId::from_u128(1),
        shop: ShopId::from_u128(1),
        customer: CustomerId::from_u128(1),
        rating: Rating::new(5).unwrap(),
        text: ReviewText::default(),
        verified_purchase: true,
        now: now(),
    })
    .0
}

/// Every free-text parser of the core, reached through its public constructor.
fn every_free_text_parser() -> Vec<FreeText> {
    use commerce_core::text;
    let blank_is_none = |s: String| (!s.is_empty()).then_some(s);
    let mut parsers = vec![
        free_text("name", 200, false, true, |s| {
            product(|p| p.name = s.into()).map(|p| Some(p.name().to_owned()))
        }),
        free_text("brand", 100, false, false, |s| {
            product(|p| p.brand = Some(s.into())).map(|p| p.brand().map(str::to_owned))
        }),
        free_text("description", 20_000, true, false, move |s| {
            product(|p| p.description = s.into()).map(|p| blank_is_none(p.description().into()))
        }),
        free_text("attributes", 200, false, true, |s| {
            product(|p| {
                p.attributes.insert("material".into(), s.into());
            })
            .map(|p| p.attributes().get("material").cloned())
        }),
        free_text("attributes", 100, false, true, |s| {
            product(|p| {
                p.attributes.insert(s.into(), "clay".into());
            })
            .map(|p| p.attributes().keys().next().cloned())
        }),
        free_text("options", 100, false, true, |s| {
            product(|p| p.variants[0] = p.variants[0].clone().with_option("size", s))
                .map(|p| p.variants()[0].options.get("size").cloned())
        }),
        free_text("media", 200, false, false, move |s| {
            product(|p| {
                p.media.push(Media {
                    url: "https://example.com/m.png".into(),
                    alt: s.into(),
                    position: 0,
                })
            })
            .map(|p| blank_is_none(p.media()[0].alt.clone()))
        }),
        free_text("name", 200, false, true, |s| {
            let benefit = commerce_core::pricing::Benefit::FreeShipping;
            Promotion::new(PromotionId::from_u128(1), s, benefit).map(|p| Some(p.name.to_string()))
        }),
        free_text("title", 120, false, false, |s| {
            ReviewText::parse(Some(s), None).map(|t| t.title().map(str::to_owned))
        }),
        free_text("text", 5000, true, false, |s| {
            ReviewText::parse(None, Some(s)).map(|t| t.text().map(str::to_owned))
        }),
        free_text("reply", 5000, true, true, |s| {
            let mut review = review();
            review.reply(SellerId::from_u128(1), s, now())?;
            Ok(review.reply.map(|r| r.text))
        }),
        free_text("line1", 200, false, true, |s| {
            ship_to(|a| a.line1 = s.into())
                .checked()
                .map(|a| Some(a.line1))
        }),
        free_text("line2", 200, false, false, |s| {
            ship_to(|a| a.line2 = Some(s.into()))
                .checked()
                .map(|a| a.line2)
        }),
        free_text("phone", 200, false, false, |s| {
            let profile = Profile {
                name: "Ada".into(),
                phone: Some(s.into()),
                marketing_opt_in: false,
            };
            profile.checked().map(|p| p.phone)
        }),
        free_text("carrier", 60, false, true, |s| {
            Consignment::parse(s, "123").map(|c| Some(c.carrier().to_owned()))
        }),
        free_text("reason-like line", 200, false, true, |s| {
            text::line("reason-like line", s, 200).map(Some)
        }),
        free_text("long text", 300, true, false, |s| {
            text::optional_text("long text", Some(s), 300)
        }),
    ];
    let mut derived_slug = vec![
        free_text("name", 100, false, true, |s| {
            Shop::new(ShopId::from_u128(1), SellerId::from_u128(1), s).map(|s| Some(s.name))
        }),
        free_text("name", 100, false, true, |s| {
            Category::new(CategoryId::from_u128(1), None, s).map(|c| Some(c.name))
        }),
        free_text("customer_group", 40, false, true, |s| {
            CustomerGroup::parse(s).map(|g| Some(g.as_str().to_owned()))
        }),
    ];
    for parser in &mut derived_slug {
        parser.exact = false;
    }
    parsers.append(&mut derived_slug);
    parsers
}

/// Mostly short strings of troublesome characters, sometimes anything, sometimes around
/// a limit.
fn hostile_text() -> impl Strategy<Value = String> {
    let troublesome = prop_oneof![
        Just('a'),
        Just('é'),
        Just('😀'),
        Just(' '),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\0'),
        Just('\u{1b}'),
        Just('\u{7f}'),
        Just('\u{85}'),
        Just('\u{2028}'),
        any::<char>(),
    ];
    prop_oneof![
        4 => prop::collection::vec(troublesome, 0..24).prop_map(String::from_iter),
        2 => any::<String>(),
        1 => (prop::sample::select(vec![40_usize, 60, 100, 120, 200, 300]), 0_usize..4, any::<bool>())
            .prop_map(|(limit, extra, padded)| {
                let text = "é".repeat(limit - 2 + extra);
                if padded { format!("  {text}\n") } else { text }
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Every free-text parser follows the one rule: no panic; blank is absent (or refused
    /// when required); over the limit (in characters) or with a control character (other
    /// than a line feed or tab in long text) is refused naming the field; anything else
    /// is accepted, trimmed.
    #[test]
    fn every_free_text_parser_follows_the_one_rule(raw in hostile_text()) {
        for parser in every_free_text_parser() {
            let parsed = (parser.parse)(&raw);
            let expected = by_the_rule(&raw, parser.max, parser.several_lines);
            let case = format!("{} (max {}) on {raw:?}: {parsed:?}", parser.field, parser.max);
            match (&expected, &parsed) {
                (Err(()), Err(e)) | (Ok(None), Err(e)) => {
                    prop_assert!(expected.is_err() || parser.required, "{case}");
                    prop_assert_eq!(e.kind(), ErrorKind::InvalidInput { field: parser.field }, "{}", case);
                }
                (Err(()), Ok(_)) => prop_assert!(false, "accepted against the rule: {case}"),
                (Ok(None), Ok(got)) => prop_assert!(!parser.required && got.is_none(), "{case}"),
                (Ok(Some(text)), Ok(got)) => {
                    if parser.field == "customer_group" {
                        prop_assert_eq!(got.clone(), Some(text.to_lowercase()), "{}", case);
                    } else {
                        prop_assert_eq!(got.as_ref(), Some(text), "{}", case);
                    }
                }
                (Ok(Some(_)), Err(e)) => {
                    prop_assert!(!parser.exact, "refused against the rule: {case}");
                    prop_assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{case}");
                }
            }
        }
    }
}
