//! Conformance cases: the accounts port — accounts, sessions, password-reset tokens and
//! address books, through [`AccountStore`](commerce_core::ports::AccountStore) (and the
//! outbox, for the events it appends) only.

use chrono::{DateTime, Duration, Utc};
use commerce_core::events::{DomainEvent, EventRecord};
use commerce_core::identity::{
    Account, Address, Email, NewAddress, Password, PasswordHash, Profile, ResetToken, Role,
    SecretToken, Session, TokenHash,
};
use commerce_core::ports::Stores;
use commerce_core::pricing::CountryCode;
use commerce_core::{AccountId, AddressId, CustomerId, Error, ErrorKind};

use crate::fixtures::now;

/// A well-formed PHC string that is not the hash of anything: storage only keeps and
/// returns it, and real argon2 in every case would make the kit slow.
const STORED_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RvcmVkc2FsdA$c3RvcmVkaGFzaA";

fn stored_hash(tag: &str) -> PasswordHash {
    PasswordHash::from_phc(format!("{STORED_HASH}{tag}"))
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("fixture e-mail")
}

fn account(n: u128, mail: &str) -> Account {
    Account {
        id: AccountId::from_u128(n),
        email: email(mail),
        role: Role::Customer,
        password: stored_hash(""),
        profile: Profile {
            name: format!("Customer {n}"),
            phone: None,
            marketing_opt_in: false,
        },
        created_at: now(),
    }
}

fn created(account: &Account) -> Vec<EventRecord> {
    vec![EventRecord::new(
        now(),
        DomainEvent::UserCreated {
            account: account.id,
            email: account.email.as_str().to_owned(),
            role: account.role,
        },
    )]
}

async fn create(stores: &Stores, n: u128, mail: &str) -> Account {
    let account = account(n, mail);
    stores
        .accounts
        .create_account(account.clone(), Vec::new())
        .await
        .expect("create account");
    account
}

fn token_hash() -> TokenHash {
    SecretToken::generate().expect("randomness").hash()
}

fn session(account: AccountId) -> Session {
    Session {
        token_hash: token_hash(),
        account,
        created_at: now(),
        expires_at: now() + Duration::days(1),
        revoked: false,
    }
}

fn reset_token(account: AccountId, expires_at: DateTime<Utc>) -> ResetToken {
    ResetToken {
        token_hash: token_hash(),
        account,
        expires_at,
        used: false,
    }
}

fn customer(account: &Account) -> CustomerId {
    CustomerId::from_uuid(account.id.as_uuid())
}

fn address(n: u128, owner: CustomerId, is_default: bool) -> Address {
    Address {
        id: AddressId::from_u128(n),
        owner,
        address: NewAddress {
            name: "Ada Lovelace".into(),
            line1: format!("{n} Analytical Street"),
            line2: None,
            city: "London".into(),
            postal_code: "N1 9GU".into(),
            region: None,
            country: CountryCode::parse("GB").expect("country"),
            phone: None,
        },
        is_default,
    }
}

async fn password_of(stores: &Stores, id: AccountId) -> PasswordHash {
    stores
        .accounts
        .account(id)
        .await
        .expect("read account")
        .expect("account exists")
        .password
}

async fn outbox_len(stores: &Stores) -> usize {
    stores
        .outbox
        .unpublished(10_000)
        .await
        .expect("read outbox")
        .len()
}

fn kind<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorKind {
    result.expect_err("expected an error").kind()
}

/// `account` reads back unchanged, by id and by e-mail.
async fn assert_stored(stores: &Stores, account: &Account) {
    let accounts = &stores.accounts;
    let by_id = accounts.account(account.id).await.expect("read");
    assert_eq!(by_id.as_ref(), Some(account));
    let by_email = accounts
        .account_by_email(&account.email)
        .await
        .expect("read");
    assert_eq!(by_email.as_ref(), Some(account));
}

/// A created account reads back unchanged, by id and by e-mail; unknown ones are `None`.
pub async fn create_then_read_by_id_and_email(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let accounts = &stores.accounts;
    assert_stored(&stores, &ada).await;
    assert_eq!(
        accounts
            .account(AccountId::from_u128(2))
            .await
            .expect("read"),
        None
    );
    let nobody = email("nobody@example.com");
    assert_eq!(
        accounts.account_by_email(&nobody).await.expect("read"),
        None
    );
}

/// A second account with a taken e-mail is a `Conflict`; neither it nor its events are
/// stored.
pub async fn duplicate_email_is_conflict_and_changes_nothing(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let twin = account(2, " ADA@Example.com ");
    let err = stores
        .accounts
        .create_account(twin.clone(), created(&twin))
        .await;
    assert_eq!(kind(err), ErrorKind::Conflict);
    assert_eq!(stores.accounts.account(twin.id).await.expect("read"), None);
    let by_email = stores
        .accounts
        .account_by_email(&ada.email)
        .await
        .expect("read");
    assert_eq!(by_email, Some(ada));
    assert_eq!(
        outbox_len(&stores).await,
        0,
        "the refused account's event leaked"
    );
}

/// A taken e-mail, on creating or on updating an account, is a `Conflict` that names the
/// `email` field in plain words and quotes nothing of the database (no constraint, table
/// or driver text); a taken id says nothing of the database either.
pub async fn a_taken_email_says_so_without_database_text(stores: Stores) {
    create(&stores, 1, "ada@example.com").await;
    let bob = create(&stores, 2, "bob@example.com").await;
    let twin = account(3, "ada@example.com");
    let created = stores
        .accounts
        .create_account(twin.clone(), Vec::new())
        .await
        .expect_err("the e-mail is taken");
    let mut moved = bob.clone();
    moved.email = email("ada@example.com");
    let updated = stores
        .accounts
        .update_account(moved)
        .await
        .expect_err("the e-mail is taken");
    for error in [&created, &updated] {
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        assert!(error.to_string().contains("email"), "{error}");
        super::assert_no_database_text(error);
    }
    let same_id = account(1, "new@example.com");
    let error = stores
        .accounts
        .create_account(same_id, Vec::new())
        .await
        .expect_err("the id is taken");
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
    super::assert_no_database_text(&error);
}

/// A second account with a taken id is a `Conflict`; its e-mail stays free.
pub async fn duplicate_id_is_conflict_and_changes_nothing(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let other = account(1, "other@example.com");
    let err = stores
        .accounts
        .create_account(other.clone(), Vec::new())
        .await;
    assert_eq!(kind(err), ErrorKind::Conflict);
    assert_eq!(
        stores.accounts.account(ada.id).await.expect("read"),
        Some(ada)
    );
    let by_email = stores.accounts.account_by_email(&other.email).await;
    assert_eq!(by_email.expect("read"), None);
}

/// Creating an account appends its events to the outbox in the same step.
pub async fn create_account_appends_event_to_outbox(stores: Stores) {
    let ada = account(1, "ada@example.com");
    let events = created(&ada);
    stores
        .accounts
        .create_account(ada, events.clone())
        .await
        .expect("create");
    assert_eq!(super::outbox_records(&stores).await, events);
}

/// Updating an account replaces it; a changed e-mail moves the e-mail lookup with it.
pub async fn update_account_replaces_and_moves_email(stores: Stores) {
    let mut ada = create(&stores, 1, "ada@example.com").await;
    let old_email = ada.email.clone();
    ada.email = email("countess@example.com");
    ada.profile.name = "Countess".into();
    stores
        .accounts
        .update_account(ada.clone())
        .await
        .expect("update");
    let accounts = &stores.accounts;
    assert_stored(&stores, &ada).await;
    assert_eq!(
        accounts.account_by_email(&old_email).await.expect("read"),
        None
    );
    // The old address is free again.
    create(&stores, 2, "ada@example.com").await;
}

/// Moving an account to another account's e-mail is a `Conflict` and changes nothing.
pub async fn update_account_email_taken_is_conflict(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let bob = create(&stores, 2, "bob@example.com").await;
    let mut changed = bob.clone();
    changed.email = ada.email.clone();
    changed.profile.name = "Not Bob".into();
    let err = stores.accounts.update_account(changed).await;
    assert_eq!(kind(err), ErrorKind::Conflict);
    let accounts = &stores.accounts;
    assert_stored(&stores, &bob).await;
    assert_eq!(
        accounts.account_by_email(&ada.email).await.expect("read"),
        Some(ada)
    );
}

/// Updating an account that does not exist is `NotFound` and creates nothing.
pub async fn update_missing_account_is_not_found(stores: Stores) {
    let ghost = account(9, "ghost@example.com");
    let err = stores.accounts.update_account(ghost.clone()).await;
    assert_eq!(kind(err), ErrorKind::NotFound);
    assert_eq!(stores.accounts.account(ghost.id).await.expect("read"), None);
    let err = stores
        .accounts
        .update_profile(ghost.id, Profile::default())
        .await;
    assert_eq!(kind(err), ErrorKind::NotFound);
}

/// Updating a profile changes the profile only and returns the updated account.
pub async fn update_profile_keeps_email_role_and_password(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let profile = Profile {
        name: "Countess of Lovelace".into(),
        phone: Some("+44 20 7946 0000".into()),
        marketing_opt_in: true,
    };
    let updated = stores
        .accounts
        .update_profile(ada.id, profile.clone())
        .await
        .expect("update profile");
    let expected = Account {
        profile,
        ..ada.clone()
    };
    assert_eq!(updated, expected);
    let stored = stores.accounts.account(ada.id).await.expect("read");
    assert_eq!(stored, Some(expected));
}

/// A session reads back as stored; revoking marks it revoked, and revoking again or
/// revoking an unknown token is not an error.
pub async fn sessions_roundtrip_and_revoke(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let kept = session(ada.id);
    let ended = session(ada.id);
    for s in [&kept, &ended] {
        stores
            .accounts
            .create_session(s.clone())
            .await
            .expect("create session");
    }
    let read = stores
        .accounts
        .session(&ended.token_hash)
        .await
        .expect("read");
    assert_eq!(read, Some(ended.clone()));

    stores
        .accounts
        .revoke_session(&ended.token_hash)
        .await
        .expect("revoke");
    let read = stores
        .accounts
        .session(&ended.token_hash)
        .await
        .expect("read");
    assert_eq!(read.map(|s| s.revoked), Some(true));
    let read = stores
        .accounts
        .session(&kept.token_hash)
        .await
        .expect("read");
    assert_eq!(read, Some(kept), "revoking one session touched another");

    stores
        .accounts
        .revoke_session(&ended.token_hash)
        .await
        .expect("revoke twice");
    stores
        .accounts
        .revoke_session(&token_hash())
        .await
        .expect("revoke unknown");
    let unknown = stores.accounts.session(&token_hash()).await.expect("read");
    assert_eq!(unknown, None);
}

/// A session or reset token for an account that does not exist is `NotFound`.
pub async fn tokens_of_unknown_account_are_not_found(stores: Stores) {
    let ghost = AccountId::from_u128(9);
    let orphan = session(ghost);
    let err = stores.accounts.create_session(orphan.clone()).await;
    assert_eq!(kind(err), ErrorKind::NotFound);
    let read = stores
        .accounts
        .session(&orphan.token_hash)
        .await
        .expect("read");
    assert_eq!(read, None);

    let reset = reset_token(ghost, now() + Duration::hours(1));
    let events = vec![EventRecord::new(
        now(),
        DomainEvent::PasswordResetRequested { account: ghost },
    )];
    let err = stores.accounts.create_reset_token(reset, events).await;
    assert_eq!(kind(err), ErrorKind::NotFound);
    assert_eq!(
        outbox_len(&stores).await,
        0,
        "the refused token's event leaked"
    );
}

/// Storing a reset token appends its events.
pub async fn reset_token_appends_event_to_outbox(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let events = vec![EventRecord::new(
        now(),
        DomainEvent::PasswordResetRequested { account: ada.id },
    )];
    let reset = reset_token(ada.id, now() + Duration::hours(1));
    stores
        .accounts
        .create_reset_token(reset, events.clone())
        .await
        .expect("create reset token");
    assert_eq!(super::outbox_records(&stores).await, events);
}

/// A reset token sets the password once; using it again is `Unauthenticated` and
/// changes nothing.
pub async fn reset_token_is_single_use(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let reset = reset_token(ada.id, now() + Duration::hours(1));
    let hash = reset.token_hash.clone();
    stores
        .accounts
        .create_reset_token(reset, Vec::new())
        .await
        .expect("create reset token");

    let first = stores
        .accounts
        .reset_password(&hash, stored_hash("first"), now())
        .await;
    assert_eq!(first.expect("first use"), ada.id);
    assert_eq!(password_of(&stores, ada.id).await, stored_hash("first"));

    let again = stores
        .accounts
        .reset_password(&hash, stored_hash("second"), now())
        .await;
    assert_eq!(kind(again), ErrorKind::Unauthenticated);
    assert_eq!(password_of(&stores, ada.id).await, stored_hash("first"));
}

/// A reset token is refused from its expiry instant on, and the refusal does not use it
/// up: just before expiry it still works.
pub async fn reset_token_expired_is_refused(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let expires_at = now() + Duration::hours(1);
    let reset = reset_token(ada.id, expires_at);
    let hash = reset.token_hash.clone();
    stores
        .accounts
        .create_reset_token(reset, Vec::new())
        .await
        .expect("create reset token");

    for late in [expires_at, expires_at + Duration::days(1)] {
        let err = stores
            .accounts
            .reset_password(&hash, stored_hash("late"), late)
            .await;
        assert_eq!(kind(err), ErrorKind::Unauthenticated);
        assert_eq!(password_of(&stores, ada.id).await, ada.password);
    }

    let just_in_time = expires_at - Duration::seconds(1);
    let ok = stores
        .accounts
        .reset_password(&hash, stored_hash("new"), just_in_time)
        .await;
    assert_eq!(ok.expect("before expiry"), ada.id);
    assert_eq!(password_of(&stores, ada.id).await, stored_hash("new"));
}

/// A token that was never issued is `Unauthenticated` and changes nothing.
pub async fn unknown_reset_token_is_refused(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let err = stores
        .accounts
        .reset_password(&token_hash(), stored_hash("new"), now())
        .await;
    assert_eq!(kind(err), ErrorKind::Unauthenticated);
    assert_eq!(password_of(&stores, ada.id).await, ada.password);
}

/// Many concurrent resets with one token: exactly one succeeds, and its password is the
/// one stored.
pub async fn concurrent_reset_with_same_token_succeeds_once(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let reset = reset_token(ada.id, now() + Duration::hours(1));
    let hash = reset.token_hash.clone();
    stores
        .accounts
        .create_reset_token(reset, Vec::new())
        .await
        .expect("create reset token");

    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let stores = stores.clone();
            let hash = hash.clone();
            tokio::spawn(async move {
                let tag = format!("racer{i}");
                let result = stores
                    .accounts
                    .reset_password(&hash, stored_hash(&tag), now())
                    .await;
                (tag, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (tag, result) = task.await.expect("task finished");
        match result {
            Ok(id) => {
                assert_eq!(id, ada.id);
                winners.push(tag);
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(password_of(&stores, ada.id).await, stored_hash(&winners[0]));
}

/// A reset revokes every session of that account and no other account's.
pub async fn reset_revokes_sessions(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let bob = create(&stores, 2, "bob@example.com").await;
    let ada_sessions = [session(ada.id), session(ada.id)];
    let bob_session = session(bob.id);
    for s in ada_sessions.iter().chain([&bob_session]) {
        stores
            .accounts
            .create_session(s.clone())
            .await
            .expect("create session");
    }
    let reset = reset_token(ada.id, now() + Duration::hours(1));
    let hash = reset.token_hash.clone();
    stores
        .accounts
        .create_reset_token(reset, Vec::new())
        .await
        .expect("create reset token");
    stores
        .accounts
        .reset_password(&hash, stored_hash("new"), now())
        .await
        .expect("reset");

    for s in &ada_sessions {
        let read = stores.accounts.session(&s.token_hash).await.expect("read");
        assert_eq!(read.map(|s| s.revoked), Some(true));
    }
    let read = stores
        .accounts
        .session(&bob_session.token_hash)
        .await
        .expect("read");
    assert_eq!(
        read,
        Some(bob_session),
        "another account's session was touched"
    );
}

/// A real argon2id hash survives storage: the password still verifies after a reset.
pub async fn password_hash_roundtrips_through_storage(stores: Stores) {
    let ada = create(&stores, 1, "ada@example.com").await;
    let password = Password::parse("correct horse battery").expect("password");
    let real = PasswordHash::new(&password).expect("hash");
    let reset = reset_token(ada.id, now() + Duration::hours(1));
    let hash = reset.token_hash.clone();
    stores
        .accounts
        .create_reset_token(reset, Vec::new())
        .await
        .expect("create reset token");
    stores
        .accounts
        .reset_password(&hash, real, now())
        .await
        .expect("reset");
    let stored = password_of(&stores, ada.id).await;
    assert!(stored.verify(&password), "stored hash no longer verifies");
    let wrong = Password::parse("incorrect horse").expect("password");
    assert!(!stored.verify(&wrong));
}

/// Addresses read back in insertion order; saving one as default clears the owner's
/// other defaults but not another owner's; replacing keeps the position.
pub async fn addresses_default_is_unique_per_owner(stores: Stores) {
    let ada = customer(&create(&stores, 1, "ada@example.com").await);
    let bob = customer(&create(&stores, 2, "bob@example.com").await);
    let home = address(10, ada, true);
    let work = address(11, ada, false);
    let bobs = address(20, bob, true);
    for a in [&home, &work, &bobs] {
        stores.accounts.save_address(a.clone()).await.expect("save");
    }
    let work_default = Address {
        is_default: true,
        ..work.clone()
    };
    stores
        .accounts
        .save_address(work_default.clone())
        .await
        .expect("save");

    let book = stores.accounts.addresses_of(ada).await.expect("read");
    let home_plain = Address {
        is_default: false,
        ..home
    };
    assert_eq!(book, vec![home_plain.clone(), work_default.clone()]);
    let defaults = book.iter().filter(|a| a.is_default).count();
    assert_eq!(defaults, 1);
    assert_eq!(
        stores.accounts.address(home_plain.id).await.expect("read"),
        Some(home_plain)
    );
    let bob_book = stores.accounts.addresses_of(bob).await.expect("read");
    assert_eq!(bob_book, vec![bobs], "another owner's default was cleared");
}

/// Saving an address under an id that belongs to another customer is a `Conflict` and
/// changes nothing.
pub async fn address_of_other_owner_conflict(stores: Stores) {
    let ada = customer(&create(&stores, 1, "ada@example.com").await);
    let bob = customer(&create(&stores, 2, "bob@example.com").await);
    let home = address(10, ada, true);
    stores
        .accounts
        .save_address(home.clone())
        .await
        .expect("save");
    let hijack = address(10, bob, true);
    let err = stores.accounts.save_address(hijack).await;
    assert_eq!(kind(err), ErrorKind::Conflict);
    assert_eq!(
        stores.accounts.address(home.id).await.expect("read"),
        Some(home.clone())
    );
    assert_eq!(
        stores.accounts.addresses_of(ada).await.expect("read"),
        vec![home]
    );
    assert_eq!(
        stores.accounts.addresses_of(bob).await.expect("read"),
        vec![]
    );
}

/// An address for a customer without an account is `NotFound` and is not stored.
pub async fn address_of_unknown_owner_is_not_found(stores: Stores) {
    let ghost = CustomerId::from_u128(9);
    let orphan = address(10, ghost, false);
    let err = stores.accounts.save_address(orphan.clone()).await;
    assert_eq!(kind(err), ErrorKind::NotFound);
    assert_eq!(
        stores.accounts.address(orphan.id).await.expect("read"),
        None
    );
    assert_eq!(
        stores.accounts.addresses_of(ghost).await.expect("read"),
        vec![]
    );
}

/// Deleting an address removes it from lookups and from its owner's book only.
pub async fn delete_address_removes_it(stores: Stores) {
    let ada = customer(&create(&stores, 1, "ada@example.com").await);
    let home = address(10, ada, true);
    let work = address(11, ada, false);
    for a in [&home, &work] {
        stores.accounts.save_address(a.clone()).await.expect("save");
    }
    stores
        .accounts
        .delete_address(home.id)
        .await
        .expect("delete");
    assert_eq!(stores.accounts.address(home.id).await.expect("read"), None);
    assert_eq!(
        stores.accounts.addresses_of(ada).await.expect("read"),
        vec![work]
    );
    let again = stores.accounts.delete_address(home.id).await;
    assert_eq!(kind(again), ErrorKind::NotFound);
}

/// Deleting an address that never existed is `NotFound`.
pub async fn delete_missing_address_is_not_found(stores: Stores) {
    let ada = customer(&create(&stores, 1, "ada@example.com").await);
    let home = address(10, ada, false);
    stores
        .accounts
        .save_address(home.clone())
        .await
        .expect("save");
    let err = stores
        .accounts
        .delete_address(AddressId::from_u128(99))
        .await;
    assert_eq!(kind(err), ErrorKind::NotFound);
    assert_eq!(
        stores.accounts.addresses_of(ada).await.expect("read"),
        vec![home]
    );
}

/// The accounts cases, as tests.
#[macro_export]
macro_rules! accounts_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            accounts,
            $fresh,
            [
                create_then_read_by_id_and_email,
                duplicate_email_is_conflict_and_changes_nothing,
                duplicate_id_is_conflict_and_changes_nothing,
                a_taken_email_says_so_without_database_text,
                create_account_appends_event_to_outbox,
                update_account_replaces_and_moves_email,
                update_account_email_taken_is_conflict,
                update_missing_account_is_not_found,
                update_profile_keeps_email_role_and_password,
                sessions_roundtrip_and_revoke,
                tokens_of_unknown_account_are_not_found,
                reset_token_appends_event_to_outbox,
                reset_token_is_single_use,
                reset_token_expired_is_refused,
                unknown_reset_token_is_refused,
                concurrent_reset_with_same_token_succeeds_once,
                reset_revokes_sessions,
                password_hash_roundtrips_through_storage,
                addresses_default_is_unique_per_owner,
                address_of_other_owner_conflict,
                address_of_unknown_owner_is_not_found,
                delete_address_removes_it,
                delete_missing_address_is_not_found,
            ]
        );
    };
}
