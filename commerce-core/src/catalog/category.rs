//! The category tree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Slug;
use crate::error::{Entity, Error};
use crate::ids::CategoryId;
use crate::text::{self, MAX_LABEL_CHARS};

/// A node of the category tree; `parent` is `None` for a root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The category's id.
    pub id: CategoryId,
    /// Its parent, or `None` at the top.
    pub parent: Option<CategoryId>,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: Slug,
}

impl Category {
    /// A category named `name` (one line of at most [`MAX_LABEL_CHARS`] characters, see
    /// [`crate::text`]) with a slug derived from it.
    pub fn new(id: CategoryId, parent: Option<CategoryId>, name: &str) -> Result<Self, Error> {
        let name = text::line("name", name, MAX_LABEL_CHARS)?;
        let slug = Slug::from_name(&name)?;
        Ok(Category {
            id,
            parent,
            name,
            slug,
        })
    }
}

/// A forest of categories in which every parent exists and no category is its own
/// ancestor. Insertion checks both, so walking up always ends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Category>", into = "Vec<Category>")]
pub struct CategoryTree {
    nodes: BTreeMap<CategoryId, Node>,
}

/// A category and its lineage (itself, then each ancestor up to the root), computed on
/// insertion: categories never move, so it never goes stale.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    category: Category,
    lineage: Vec<CategoryId>,
}

impl CategoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        CategoryTree::default()
    }

    /// Adds a category whose parent (if any) is already in the tree. A category that is
    /// already present is a [`Error::Conflict`]; an unknown parent is
    /// [`Error::NotFound`]. Since parents must exist first, no cycle can form.
    pub fn insert(&mut self, category: Category) -> Result<(), Error> {
        if self.nodes.contains_key(&category.id) {
            return Err(Error::Conflict(format!(
                "category {} already exists",
                category.id
            )));
        }
        let mut lineage = vec![category.id];
        if let Some(parent) = category.parent {
            let parent = self
                .nodes
                .get(&parent)
                .ok_or_else(|| Error::not_found(Entity::Category, parent))?;
            lineage.extend_from_slice(&parent.lineage);
        }
        self.nodes.insert(category.id, Node { category, lineage });
        Ok(())
    }

    /// Adds a category, or renames one already present. An unknown parent is
    /// [`Error::NotFound`]; giving an existing category another parent is
    /// [`Error::Conflict`], since categories never move (their lineage stays valid).
    pub fn upsert(&mut self, category: Category) -> Result<(), Error> {
        match self.nodes.get_mut(&category.id) {
            None => self.insert(category),
            Some(node) if node.category.parent == category.parent => {
                node.category = category;
                Ok(())
            }
            Some(node) => Err(Error::Conflict(format!(
                "category {} cannot move to another parent",
                node.category.id
            ))),
        }
    }

    /// One category.
    pub fn get(&self, id: CategoryId) -> Option<&Category> {
        self.nodes.get(&id).map(|n| &n.category)
    }

    /// All categories, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Category> {
        self.nodes.values().map(|n| &n.category)
    }

    /// The ids of `id` and then each of its ancestors up to the root; empty for an unknown
    /// id.
    pub fn lineage(&self, id: CategoryId) -> &[CategoryId] {
        self.nodes.get(&id).map_or(&[], |n| &n.lineage)
    }

    /// `id` and then each of its ancestors up to the root.
    pub fn ancestors(&self, id: CategoryId) -> impl Iterator<Item = &Category> {
        self.lineage(id).iter().filter_map(|c| self.get(*c))
    }

    /// True when `id` is `ancestor` or lies below it.
    pub fn is_within(&self, id: CategoryId, ancestor: CategoryId) -> bool {
        self.lineage(id).contains(&ancestor)
    }

    /// The direct children of `id`.
    pub fn children(&self, id: CategoryId) -> impl Iterator<Item = &Category> {
        self.iter().filter(move |c| c.parent == Some(id))
    }

    /// `id` and everything below it.
    pub fn descendants(&self, id: CategoryId) -> Vec<CategoryId> {
        self.nodes
            .keys()
            .copied()
            .filter(|&c| self.is_within(c, id))
            .collect()
    }

    /// Breadcrumbs from the root down to `id`.
    pub fn path(&self, id: CategoryId) -> Vec<&Category> {
        let mut path: Vec<&Category> = self.ancestors(id).collect();
        path.reverse();
        path
    }
}

impl TryFrom<Vec<Category>> for CategoryTree {
    type Error = Error;

    /// Rebuilds a tree from categories in any order, parents before or after children;
    /// a missing parent or a cycle is refused.
    fn try_from(mut pending: Vec<Category>) -> Result<Self, Error> {
        let mut tree = CategoryTree::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut waiting = Vec::new();
            for category in pending {
                match category.parent {
                    Some(parent) if !tree.nodes.contains_key(&parent) => waiting.push(category),
                    _ => tree.insert(category)?,
                }
            }
            if waiting.len() == before {
                return Err(Error::invalid(
                    "categories",
                    "a parent is missing or the parents form a cycle",
                ));
            }
            pending = waiting;
        }
        Ok(tree)
    }
}

impl From<CategoryTree> for Vec<Category> {
    fn from(tree: CategoryTree) -> Self {
        tree.nodes.into_values().map(|n| n.category).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(n: u128, parent: Option<u128>, name: &str) -> Category {
        let parent = parent.map(CategoryId::from_u128);
        match Category::new(CategoryId::from_u128(n), parent, name) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn sub_categories_are_within_their_ancestors() {
        let mut tree = CategoryTree::new();
        for c in [
            cat(1, None, "Electronics"),
            cat(2, Some(1), "Phones"),
            cat(3, Some(2), "Smartphones"),
            cat(4, None, "Books"),
        ] {
            assert_eq!(tree.insert(c), Ok(()));
        }
        let (phones, smart, books) = (
            CategoryId::from_u128(2),
            CategoryId::from_u128(3),
            CategoryId::from_u128(4),
        );
        assert!(tree.is_within(smart, CategoryId::from_u128(1)));
        assert!(!tree.is_within(smart, books));
        assert_eq!(tree.descendants(phones), vec![phones, smart]);
        let names: Vec<&str> = tree.path(smart).iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Electronics", "Phones", "Smartphones"]);
    }

    #[test]
    fn unknown_parents_and_duplicates_are_refused() {
        let mut tree = CategoryTree::new();
        assert!(matches!(
            tree.insert(cat(2, Some(1), "Orphan")),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(tree.insert(cat(1, None, "Root")), Ok(()));
        assert!(matches!(
            tree.insert(cat(1, None, "Again")),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn upserting_renames_in_place_but_never_moves() {
        let mut tree = CategoryTree::new();
        assert_eq!(tree.upsert(cat(1, None, "Root")), Ok(()));
        assert_eq!(tree.upsert(cat(2, Some(1), "Child")), Ok(()));
        assert_eq!(tree.upsert(cat(2, Some(1), "Renamed")), Ok(()));
        assert_eq!(
            tree.get(CategoryId::from_u128(2)).map(|c| c.name.as_str()),
            Some("Renamed")
        );
        assert!(matches!(
            tree.upsert(cat(2, None, "Moved")),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            tree.upsert(cat(3, Some(9), "Orphan")),
            Err(Error::NotFound { .. })
        ));
        let child = tree.get(CategoryId::from_u128(2));
        assert_eq!(
            child.map(|c| (c.name.as_str(), c.parent)),
            Some(("Renamed", Some(CategoryId::from_u128(1))))
        );
        assert_eq!(tree.iter().count(), 2);
    }

    #[test]
    fn deserializing_a_cycle_is_refused() {
        let a = cat(1, Some(2), "A");
        let b = cat(2, Some(1), "B");
        let json = serde_json::to_string(&vec![a, b]).unwrap_or_default();
        assert!(serde_json::from_str::<CategoryTree>(&json).is_err());
    }
}
