"""Bulk import of users and memberships (administrators): "Vérifier" (writes nothing), then "Appliquer"."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.imports import ImportReport
from core.uploads import accepts_upload
from habilitations import imports, tasks
from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism
from habilitations.forms.imports import FILE_TOO_LARGE, ImportUploadForm


@admin_of_organism
@accepts_upload(settings.UPLOAD_MAX_REQUEST_SIZE, FILE_TOO_LARGE)  # refused on its Content-Length, before it is read
@require_http_methods(["GET", "POST"])
def import_upload(request, convention_id):
    """Step 1: upload and check the file; nothing is written, the lines wait under a token."""
    convention = querysets.convention_for_admin(request.access, convention_id)
    form = ImportUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        plan = imports.plan_build(form.records, convention, actor=request.user)
        token = imports.plan_store(
            convention=convention,
            actor=request.user,
            filename=form.cleaned_data["fichier"].name,
            records=form.records,
            plan=plan,
        )
        return redirect("habilitations:import_apply", convention.pk, token)
    return render(
        request,
        "habilitations/imports/upload.html",
        {"convention": convention, "form": form, "columns": imports.COLUMNS, "max_lines": imports.MAX_LINES},
    )


@admin_of_organism
@require_http_methods(["GET", "POST"])
def import_apply(request, convention_id, token):
    """Step 2: what the file would change; "Appliquer" applies it all or nothing, once."""
    convention = querysets.convention_for_admin(request.access, convention_id)
    state = imports.plan_load(token, convention=convention, actor=request.user)
    if state is None:
        return render(request, "habilitations/imports/expired.html", {"convention": convention}, status=404)
    if request.method == "POST":
        if imports.apply_claim(token, state):
            tasks.import_apply.delay(token)
        elif state["status"] == imports.VERIFIED:
            messages.error(
                request, "Ce fichier contient des lignes rejetées : corrigez-le puis vérifiez-le à nouveau."
            )
        else:
            messages.info(request, "Cet import a déjà été appliqué ou est en cours : il n'est pas appliqué deux fois.")
        return redirect("habilitations:import_apply", convention.pk, token)
    return render(
        request,
        "habilitations/imports/result.html",
        {
            "convention": convention,
            "state": state,
            "token": token,
            "summary": state["summary"],
            "report": ImportReport.from_dict(state["summary"]["report"]),
        },
    )


@admin_of_organism
@require_GET
def import_report(request, convention_id, token):
    """The "Détail par ligne" as CSV, to correct the file in a spreadsheet: the file's own text, neutralised; each
    rejection with its column and reason."""
    convention = querysets.convention_for_admin(request.access, convention_id)
    state = imports.plan_load(token, convention=convention, actor=request.user)
    if state is None:
        raise Http404
    report = ImportReport.from_dict(state["summary"]["report"])
    return report.csv_response(f"import-utilisateurs-{token[:8]}.csv")


@admin_of_organism
@require_GET
def import_template(request, convention_id, file_format):
    """The template file offered on the upload page: the columns and one example line."""
    querysets.convention_for_admin(request.access, convention_id)
    if file_format == "xlsx":
        content, content_type = (
            imports.template_xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif file_format == "csv":
        content, content_type = imports.template_csv(), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="modele-import-utilisateurs.{file_format}"'
    return response
