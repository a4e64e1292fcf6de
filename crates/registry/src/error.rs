use kernel::web::AppError;

/// Errors of the registry's store functions.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Db(#[from] kernel::DbError),
    #[error("outside the caller's scope")]
    Forbidden,
    #[error("not found")]
    NotFound,
}

impl From<RegistryError> for AppError {
    fn from(e: RegistryError) -> AppError {
        match e {
            RegistryError::Db(e) => AppError::Db(e),
            RegistryError::Forbidden => AppError::Forbidden,
            RegistryError::NotFound => AppError::NotFound,
        }
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;
