//! The machinery behind the resource-kind table in [`super`]: `resource_kinds!` turns one line
//! per kind into the [`ResourceKind`](super::ResourceKind) enum (one `service:kind` name that
//! serde and `as_str` both use), the regional and global kind lists that listing gaps and
//! unreachable regions are computed from, and the two resource sets
//! ([`RegionResources`](super::RegionResources), [`GlobalResources`](super::GlobalResources))
//! with their counting, merging and canonical order. Nothing here names a particular kind.
//!
//! Entry forms, in the order the enum (and so `Ord`) and the snapshot's fields follow:
//!
//! ```text
//! Kind = "service:kind", regional field: Type by [key, …] [dedup];  // a top-level list
//! Kind = "service:kind", global field: Type by [key, …] [dedup];
//! Kind = "service:kind", regional inside field;  // lives inside another kind's resources
//! Kind = "service:kind", global inside field;
//! Kind = "service:kind", not collected;          // named in findings, never listed
//! ```
//!
//! `by` is the sort key of the list (compared as a tuple); `dedup` also drops entries whose key
//! repeats. `inside` names the list that holds the nested kind, and must exist.

/// See the module documentation.
macro_rules! resource_kinds {
    // One entry at a time into seven accumulators: variants, regional kinds, global kinds,
    // regional lists, global lists, regional holders, global holders. Nested forms come
    // before top-level ones so that `inside` is never read as a field name.
    (@munch [$($v:tt)*] [$($r:tt)*] $g:tt $rl:tt $gl:tt [$($rh:tt)*] $gh:tt
        $(#[$meta:meta])* $kind:ident = $name:literal, regional inside $holder:ident; $($rest:tt)*
    ) => {
        resource_kinds!(@munch [$($v)* {[$(#[$meta])*] $kind $name}] [$($r)* $kind] $g $rl $gl
            [$($rh)* $holder] $gh $($rest)*);
    };
    (@munch [$($v:tt)*] $r:tt [$($g:tt)*] $rl:tt $gl:tt $rh:tt [$($gh:tt)*]
        $(#[$meta:meta])* $kind:ident = $name:literal, global inside $holder:ident; $($rest:tt)*
    ) => {
        resource_kinds!(@munch [$($v)* {[$(#[$meta])*] $kind $name}] $r [$($g)* $kind] $rl $gl
            $rh [$($gh)* $holder] $($rest)*);
    };
    (@munch [$($v:tt)*] [$($r:tt)*] $g:tt [$($rl:tt)*] $gl:tt $rh:tt $gh:tt
        $(#[$meta:meta])* $kind:ident = $name:literal,
        regional $field:ident: $ty:ident by [$($key:ident),+] $($dedup:ident)?; $($rest:tt)*
    ) => {
        resource_kinds!(@munch [$($v)* {[$(#[$meta])*] $kind $name}] [$($r)* $kind] $g
            [$($rl)* {$field $ty [$($key),+] $($dedup)?}] $gl $rh $gh $($rest)*);
    };
    (@munch [$($v:tt)*] $r:tt [$($g:tt)*] $rl:tt [$($gl:tt)*] $rh:tt $gh:tt
        $(#[$meta:meta])* $kind:ident = $name:literal,
        global $field:ident: $ty:ident by [$($key:ident),+] $($dedup:ident)?; $($rest:tt)*
    ) => {
        resource_kinds!(@munch [$($v)* {[$(#[$meta])*] $kind $name}] $r [$($g)* $kind] $rl
            [$($gl)* {$field $ty [$($key),+] $($dedup)?}] $rh $gh $($rest)*);
    };
    (@munch [$($v:tt)*] $r:tt $g:tt $rl:tt $gl:tt $rh:tt $gh:tt
        $(#[$meta:meta])* $kind:ident = $name:literal, not collected; $($rest:tt)*
    ) => {
        resource_kinds!(@munch [$($v)* {[$(#[$meta])*] $kind $name}] $r $g $rl $gl $rh $gh $($rest)*);
    };

    // Every entry read: emit.
    (@munch [$({[$($meta:tt)*] $kind:ident $name:literal})*] [$($regional:ident)*] [$($global:ident)*]
        $rl:tt $gl:tt $rh:tt $gh:tt
    ) => {
        /// The kinds of resource drscan knows, named `service:kind` as in findings and SARIF.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        pub enum ResourceKind {
            $($($meta)* #[serde(rename = $name)] $kind,)*
        }

        impl ResourceKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ResourceKind] = &[$(ResourceKind::$kind),*];

            /// Every kind collected per region: what an unreachable region leaves unknown, and
            /// what a region view checks for listing gaps.
            pub const REGIONAL: &'static [ResourceKind] = &[$(ResourceKind::$regional),*];

            /// Every kind of the global services (Route 53), collected once per run.
            pub const GLOBAL: &'static [ResourceKind] = &[$(ResourceKind::$global),*];

            /// The `service:kind` name, exactly as serialized.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ResourceKind::$kind => $name,)*
                }
            }
        }

        resource_kinds!(@set
            /// One region's resources: a list per regional kind that is not nested in another.
            RegionResources $rl $rh);
        resource_kinds!(@set
            /// Resources of the global services (Route 53), collected once.
            GlobalResources $gl $gh);
    };

    (@set $(#[$attr:meta])* $set:ident
        [$({$field:ident $ty:ident [$($key:ident),+] $($dedup:ident)?})*] [$($holder:ident)*]
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $set {
            $(#[serde(default)] pub $field: Vec<$ty>,)*
        }

        impl $set {
            /// Number of top-level resources, for summaries and benchmarks.
            pub fn len(&self) -> usize {
                [$(self.$field.len()),*].iter().sum()
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Move every resource of `other` to the end of the matching list of `self`.
            pub fn append(&mut self, other: $set) {
                $(self.$field.extend(other.$field);)*
            }

            /// Every list in its declared order (duplicates dropped where declared), so two
            /// collections of the same state serialize byte-identically apart from times.
            pub fn sort_canonically(&mut self) {
                $(resource_kinds!(@sort self.$field, [$($key),+] $($dedup)?);)*
            }
        }

        // Each nested kind names the list it lives in; this fails to compile if there is none.
        const _: fn(&$set) = |_set| {
            $(let _ = &_set.$holder;)*
        };
    };

    (@sort $list:expr, [$($key:ident),+]) => {
        $list.sort_by(|a, b| ($(&a.$key,)+).cmp(&($(&b.$key,)+)))
    };
    (@sort $list:expr, [$($key:ident),+] dedup) => {{
        resource_kinds!(@sort $list, [$($key),+]);
        $list.dedup_by(|a, b| ($(&a.$key,)+) == ($(&b.$key,)+));
    }};

    // The table itself.
    ($($table:tt)*) => {
        resource_kinds!(@munch [] [] [] [] [] [] [] $($table)*);
    };
}

pub(super) use resource_kinds;
