"""The upload form of the bulk import."""

from django import forms

from habilitations.imports import MAX_BYTES, ImportFileError, read_records

FILE_TOO_LARGE = "Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."


class ImportUploadForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier (CSV ou XLSX)",
        help_text="CSV encodé en UTF-8, séparé par des points-virgules ou des virgules, ou classeur XLSX ; "
        "5 Mo et 5 000 lignes au plus.",
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
            "invalid": "Choisissez un fichier.",
            "missing": "Choisissez le fichier à importer.",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        try:
            self.records = read_records(upload.name or "", upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload
