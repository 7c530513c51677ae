"""The one error every upload check raises."""


class UploadRefused(ValueError):
    """The file cannot be accepted; the message names the file and says why, for the user.

    `code` says which check refused it ("damaged", "not_office", "macros", "embedded",
    "external", "zip_limit", "pdf_active", ...), for callers that explain some refusals in
    their own words (the import says how to save a workbook).
    """

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code
