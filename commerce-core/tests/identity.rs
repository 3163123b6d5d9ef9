//! Identity and access use cases: registration, sign-in, sessions, password resets,
//! profiles and address books, on the in-memory engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Duration;
use commerce_core::events::DomainEvent;
use commerce_core::identity::{Account, Address, NewAddress, Password, Principal, Profile, Role};
use commerce_core::memory::Memory;
use commerce_core::pricing::CountryCode;
use commerce_core::{AddressId, AdminId, Commerce, CustomerId, Error, ErrorKind};

const PASSWORD: &str = "correct horse battery";

/// An admin principal, as a host would build it for its own bootstrap.
fn root() -> Principal {
    Principal::Admin(AdminId::from_u128(1))
}

fn engine() -> (Memory, Commerce) {
    let memory = Memory::new();
    let shop = memory.commerce();
    (memory, shop)
}

async fn customer(shop: &Commerce, email: &str) -> (Account, Principal) {
    let account = shop
        .register(
            email,
            PASSWORD,
            "Customer",
            Role::Customer,
            Principal::Guest,
        )
        .await
        .unwrap();
    let principal = Principal::of_account(account.id, account.role);
    (account, principal)
}

fn owner(principal: Principal) -> CustomerId {
    match principal {
        Principal::Customer(id) => id,
        other => panic!("not a customer: {other:?}"),
    }
}

fn home() -> NewAddress {
    NewAddress {
        name: "Ada Lovelace".into(),
        line1: "12 St James's Square".into(),
        line2: None,
        city: "London".into(),
        postal_code: "SW1Y 4JH".into(),
        region: None,
        country: CountryCode::parse("GB").unwrap(),
        phone: None,
    }
}

async fn event_names(memory: &Memory) -> Vec<&'static str> {
    let entries = memory.stores.outbox.unpublished(1000).await.unwrap();
    entries.iter().map(|e| e.record.event.name()).collect()
}

fn kind<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorKind {
    result.expect_err("expected an error").kind()
}

#[tokio::test]
async fn registration_normalises_email_and_emits_user_created() {
    let (memory, shop) = engine();
    let account = shop
        .register(
            "  Ada@Example.COM ",
            PASSWORD,
            "Ada",
            Role::Customer,
            Principal::Guest,
        )
        .await
        .unwrap();
    assert_eq!(account.email.as_str(), "ada@example.com");
    assert_eq!(account.role, Role::Customer);
    assert_eq!(account.profile.name, "Ada");

    let entries = memory.stores.outbox.unpublished(10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].record.event,
        DomainEvent::UserCreated {
            account: account.id,
            email: "ada@example.com".into(),
            role: Role::Customer,
        }
    );
    let (_, principal) = shop.login("ADA@example.com", PASSWORD).await.unwrap();
    assert_eq!(principal, Principal::of_account(account.id, Role::Customer));
}

#[tokio::test]
async fn duplicate_email_in_any_case_is_conflict() {
    let (memory, shop) = engine();
    customer(&shop, "ada@example.com").await;
    let again = shop
        .register(
            " ADA@example.com",
            "another password",
            "Eve",
            Role::Customer,
            Principal::Guest,
        )
        .await;
    assert_eq!(kind(again), ErrorKind::Conflict);
    assert_eq!(event_names(&memory).await, vec!["user.created"]);
}

#[tokio::test]
async fn registration_refuses_bad_input_naming_the_field() {
    let (memory, shop) = engine();
    let guest = Principal::Guest;
    let cases = [
        ("not-an-email", PASSWORD, "Ada", "email"),
        ("ada@example.com", "short", "Ada", "password"),
        ("ada@example.com", PASSWORD, "   ", "name"),
        ("ada@example.com", PASSWORD, "Ada\u{7}", "name"),
    ];
    for (email, password, name, field) in cases {
        let err = shop
            .register(email, password, name, Role::Customer, guest)
            .await;
        assert_eq!(kind(err), ErrorKind::InvalidInput { field });
    }
    assert!(event_names(&memory).await.is_empty());
}

#[tokio::test]
async fn only_an_admin_registers_sellers_and_admins() {
    let (memory, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    for actor in [Principal::Guest, ada] {
        for role in [Role::Seller, Role::Admin] {
            let err = shop
                .register("boss@example.com", PASSWORD, "Boss", role, actor)
                .await;
            assert_eq!(kind(err), ErrorKind::Forbidden);
        }
    }
    assert_eq!(event_names(&memory).await, vec!["user.created"]);
    let login = shop.login("boss@example.com", PASSWORD).await;
    assert_eq!(kind(login), ErrorKind::Unauthenticated);

    let seller = shop
        .register(
            "seller@example.com",
            PASSWORD,
            "Seller",
            Role::Seller,
            root(),
        )
        .await
        .unwrap();
    let (_, principal) = shop.login("seller@example.com", PASSWORD).await.unwrap();
    assert_eq!(principal, Principal::of_account(seller.id, Role::Seller));
    assert!(matches!(principal, Principal::Seller(_)));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_error() {
    let (_, shop) = engine();
    customer(&shop, "ada@example.com").await;
    let wrong_password = shop.login("ada@example.com", "not the password").await;
    let unknown_email = shop.login("nobody@example.com", PASSWORD).await;
    let malformed = shop.login("nobody", "x").await;
    let expected = Error::Unauthenticated("invalid e-mail or password");
    assert_eq!(wrong_password.unwrap_err(), expected);
    assert_eq!(unknown_email.unwrap_err(), expected);
    assert_eq!(malformed.unwrap_err(), expected);
}

#[tokio::test]
async fn session_token_authenticates_until_it_expires() {
    let (memory, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let (token, principal) = shop.login("ada@example.com", PASSWORD).await.unwrap();
    assert_eq!(principal, ada);
    assert_eq!(shop.authenticate(token.expose()).await.unwrap(), ada);

    let ttl = shop.config().session_ttl;
    memory.clock.advance(ttl - Duration::seconds(1));
    assert_eq!(shop.authenticate(token.expose()).await.unwrap(), ada);
    memory.clock.advance(Duration::seconds(1));
    let expired = shop.authenticate(token.expose()).await;
    assert_eq!(kind(expired), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn session_stores_only_the_token_hash() {
    let (memory, shop) = engine();
    customer(&shop, "ada@example.com").await;
    let (token, _) = shop.login("ada@example.com", PASSWORD).await.unwrap();
    let session = memory.stores.accounts.session(&token.hash()).await.unwrap();
    let session = session.expect("session stored under the token's hash");
    assert_ne!(session.token_hash.as_str(), token.expose());
}

#[tokio::test]
async fn logout_revokes_only_that_session() {
    let (_, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let (phone, _) = shop.login("ada@example.com", PASSWORD).await.unwrap();
    let (laptop, _) = shop.login("ada@example.com", PASSWORD).await.unwrap();
    shop.logout(phone.expose()).await.unwrap();
    let phone_again = shop.authenticate(phone.expose()).await;
    assert_eq!(kind(phone_again), ErrorKind::Unauthenticated);
    assert_eq!(shop.authenticate(laptop.expose()).await.unwrap(), ada);
    shop.logout(phone.expose()).await.unwrap();
}

#[tokio::test]
async fn garbage_and_unknown_tokens_do_not_authenticate() {
    let (_, shop) = engine();
    for token in ["", "abc", &"z".repeat(64), &"ab".repeat(32)] {
        let result = shop.authenticate(token).await;
        assert_eq!(kind(result), ErrorKind::Unauthenticated, "{token:?}");
    }
}

#[tokio::test]
async fn password_reset_is_single_use_and_signs_out_everywhere() {
    let (memory, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let (session, _) = shop.login("ada@example.com", PASSWORD).await.unwrap();

    let token = shop
        .request_password_reset(" ADA@example.com")
        .await
        .unwrap();
    let token = token.expect("a token for a registered e-mail");
    assert_eq!(
        event_names(&memory).await,
        vec!["user.created", "user.password_reset_requested"]
    );
    shop.reset_password(token.expose(), "a brand new password")
        .await
        .unwrap();

    let old_session = shop.authenticate(session.expose()).await;
    assert_eq!(kind(old_session), ErrorKind::Unauthenticated);
    let old_password = shop.login("ada@example.com", PASSWORD).await;
    assert_eq!(kind(old_password), ErrorKind::Unauthenticated);
    let (_, principal) = shop
        .login("ada@example.com", "a brand new password")
        .await
        .unwrap();
    assert_eq!(principal, ada);

    let reuse = shop
        .reset_password(token.expose(), "yet another password")
        .await;
    assert_eq!(kind(reuse), ErrorKind::Unauthenticated);
    let still = shop.login("ada@example.com", "a brand new password").await;
    assert!(still.is_ok(), "a reused token changed the password");
}

#[tokio::test]
async fn reset_token_expires() {
    let (memory, shop) = engine();
    customer(&shop, "ada@example.com").await;
    let token = shop
        .request_password_reset("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    memory.clock.advance(shop.config().reset_token_ttl);
    let late = shop
        .reset_password(token.expose(), "a brand new password")
        .await;
    assert_eq!(kind(late), ErrorKind::Unauthenticated);
    assert!(shop.login("ada@example.com", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn reset_with_a_bad_password_keeps_the_token_usable() {
    let (_, shop) = engine();
    customer(&shop, "ada@example.com").await;
    let token = shop
        .request_password_reset("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let short = shop.reset_password(token.expose(), "short").await;
    assert_eq!(kind(short), ErrorKind::InvalidInput { field: "password" });
    assert!(shop.login("ada@example.com", PASSWORD).await.is_ok());
    shop.reset_password(token.expose(), "long enough now")
        .await
        .unwrap();
    assert!(
        shop.login("ada@example.com", "long enough now")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn reset_for_an_unknown_email_returns_nothing_and_emits_nothing() {
    let (memory, shop) = engine();
    let token = shop
        .request_password_reset("nobody@example.com")
        .await
        .unwrap();
    assert!(token.is_none());
    assert!(event_names(&memory).await.is_empty());
}

#[tokio::test]
async fn owner_and_admin_read_and_update_a_profile() {
    let (_, shop) = engine();
    let (account, ada) = customer(&shop, "ada@example.com").await;
    assert_eq!(shop.profile(ada, account.id).await.unwrap(), account);
    assert_eq!(shop.profile(root(), account.id).await.unwrap(), account);

    let profile = Profile {
        name: "  Countess  ".into(),
        phone: Some("+44 20 7946 0000".into()),
        marketing_opt_in: true,
    };
    let updated = shop.update_profile(ada, account.id, profile).await.unwrap();
    assert_eq!(updated.profile.name, "Countess");
    assert!(updated.profile.marketing_opt_in);
    assert_eq!(updated.email, account.email);
    let by_admin = Profile {
        name: "Ada".into(),
        ..Profile::default()
    };
    let updated = shop
        .update_profile(root(), account.id, by_admin)
        .await
        .unwrap();
    assert_eq!(shop.profile(ada, account.id).await.unwrap(), updated);
}

#[tokio::test]
async fn invalid_profile_is_refused_and_changes_nothing() {
    let (_, shop) = engine();
    let (account, ada) = customer(&shop, "ada@example.com").await;
    let empty_name = Profile {
        name: " ".into(),
        ..account.profile.clone()
    };
    let err = shop.update_profile(ada, account.id, empty_name).await;
    assert_eq!(kind(err), ErrorKind::InvalidInput { field: "name" });
    let long_phone = Profile {
        phone: Some("9".repeat(201)),
        ..account.profile.clone()
    };
    let err = shop.update_profile(ada, account.id, long_phone).await;
    assert_eq!(kind(err), ErrorKind::InvalidInput { field: "phone" });
    assert_eq!(shop.profile(ada, account.id).await.unwrap(), account);
}

#[tokio::test]
async fn a_customer_cannot_read_or_update_another_customers_profile() {
    let (_, shop) = engine();
    let (ada_account, ada) = customer(&shop, "ada@example.com").await;
    let (_, bob) = customer(&shop, "bob@example.com").await;
    let seller = shop
        .register(
            "seller@example.com",
            PASSWORD,
            "Seller",
            Role::Seller,
            root(),
        )
        .await
        .unwrap();
    let seller = Principal::of_account(seller.id, seller.role);

    for intruder in [bob, seller, Principal::Guest] {
        let read = shop.profile(intruder, ada_account.id).await;
        assert_eq!(kind(read), ErrorKind::Forbidden);
        let hijack = Profile {
            name: "Hijacked".into(),
            ..Profile::default()
        };
        let write = shop.update_profile(intruder, ada_account.id, hijack).await;
        assert_eq!(kind(write), ErrorKind::Forbidden);
    }
    assert_eq!(
        shop.profile(ada, ada_account.id).await.unwrap(),
        ada_account
    );
}

#[tokio::test]
async fn address_book_keeps_one_default() {
    let (_, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let me = owner(ada);
    let first = shop.add_address(ada, me, home(), true).await.unwrap();
    let work = NewAddress {
        line1: "1 Work Lane".into(),
        ..home()
    };
    let second = shop.add_address(ada, me, work, true).await.unwrap();
    let book = shop.addresses(ada, me).await.unwrap();
    assert_eq!(
        book.iter().map(|a| a.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
    assert_eq!(
        book.iter().map(|a| a.is_default).collect::<Vec<_>>(),
        [false, true]
    );

    let moved = NewAddress {
        city: "Cambridge".into(),
        ..home()
    };
    let updated = shop
        .update_address(ada, first.id, moved, true)
        .await
        .unwrap();
    assert_eq!(updated.address.city, "Cambridge");
    let book = shop.addresses(ada, me).await.unwrap();
    assert_eq!(
        book,
        vec![
            updated,
            Address {
                is_default: false,
                ..second.clone()
            }
        ]
    );

    shop.delete_address(ada, first.id).await.unwrap();
    let book = shop.addresses(ada, me).await.unwrap();
    assert_eq!(book.iter().map(|a| a.id).collect::<Vec<_>>(), [second.id]);
    let again = shop.delete_address(ada, first.id).await;
    assert_eq!(kind(again), ErrorKind::NotFound);
}

#[tokio::test]
async fn invalid_address_is_refused_naming_the_field() {
    let (_, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let me = owner(ada);
    let cases = [
        (
            NewAddress {
                city: "  ".into(),
                ..home()
            },
            "city",
        ),
        (
            NewAddress {
                name: String::new(),
                ..home()
            },
            "name",
        ),
        (
            NewAddress {
                line1: "1 Main\nSt".into(),
                ..home()
            },
            "line1",
        ),
        (
            NewAddress {
                postal_code: "".into(),
                ..home()
            },
            "postal_code",
        ),
        (
            NewAddress {
                line2: Some("x".repeat(201)),
                ..home()
            },
            "line2",
        ),
        (
            NewAddress {
                region: Some("\u{0}".into()),
                ..home()
            },
            "region",
        ),
    ];
    for (address, field) in cases {
        let err = shop.add_address(ada, me, address, true).await;
        assert_eq!(kind(err), ErrorKind::InvalidInput { field });
    }
    assert!(shop.addresses(ada, me).await.unwrap().is_empty());

    let kept = shop.add_address(ada, me, home(), true).await.unwrap();
    let bad = NewAddress {
        city: String::new(),
        ..home()
    };
    let err = shop.update_address(ada, kept.id, bad, false).await;
    assert_eq!(kind(err), ErrorKind::InvalidInput { field: "city" });
    assert_eq!(shop.addresses(ada, me).await.unwrap(), vec![kept]);
}

#[tokio::test]
async fn a_customer_cannot_touch_another_customers_addresses() {
    let (_, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let (_, bob) = customer(&shop, "bob@example.com").await;
    let adas = owner(ada);
    let kept = shop.add_address(ada, adas, home(), true).await.unwrap();

    for intruder in [bob, Principal::Guest] {
        let list = shop.addresses(intruder, adas).await;
        assert_eq!(kind(list), ErrorKind::Forbidden);
        let add = shop.add_address(intruder, adas, home(), true).await;
        assert_eq!(kind(add), ErrorKind::Forbidden);
        let moved = NewAddress {
            city: "Elsewhere".into(),
            ..home()
        };
        let update = shop.update_address(intruder, kept.id, moved, false).await;
        assert_eq!(kind(update), ErrorKind::Forbidden);
        let delete = shop.delete_address(intruder, kept.id).await;
        assert_eq!(kind(delete), ErrorKind::Forbidden);
    }
    assert_eq!(shop.addresses(ada, adas).await.unwrap(), vec![kept.clone()]);
    assert!(shop.addresses(bob, owner(bob)).await.unwrap().is_empty());

    // An admin may manage anyone's address book.
    shop.delete_address(root(), kept.id).await.unwrap();
    assert!(shop.addresses(ada, adas).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_address_is_not_found() {
    let (_, shop) = engine();
    let (_, ada) = customer(&shop, "ada@example.com").await;
    let missing = AddressId::from_u128(404);
    let update = shop.update_address(ada, missing, home(), false).await;
    assert_eq!(kind(update), ErrorKind::NotFound);
    let delete = shop.delete_address(ada, missing).await;
    assert_eq!(kind(delete), ErrorKind::NotFound);
}

#[tokio::test]
async fn secrets_do_not_appear_in_debug_output() {
    let (_, shop) = engine();
    let (account, _) = customer(&shop, "ada@example.com").await;
    let (token, _) = shop.login("ada@example.com", PASSWORD).await.unwrap();

    let password = Password::parse(PASSWORD).unwrap();
    assert!(!format!("{password:?}").contains(PASSWORD));
    assert!(!format!("{token:?}").contains(token.expose()));
    let account_debug = format!("{account:?}");
    assert!(!account_debug.contains(account.password.as_phc()));
    assert!(!account_debug.contains("argon2"));
    assert!(account_debug.contains("ada@example.com"), "{account_debug}");
}
