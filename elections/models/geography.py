"""Geography: District 区 → Street 街道 → Community 社区, and the vetting departments."""

from __future__ import annotations

from django.db import models


class District(models.Model):
    name = models.CharField("区", max_length=60)
    code = models.CharField("代码", max_length=20, unique=True)
    city = models.CharField("市", max_length=60, blank=True)

    class Meta:
        verbose_name = "区"
        verbose_name_plural = "区"
        ordering = ["code"]
        permissions = [
            ("review_district", "组织部审核"),
            ("supervise_district", "纪检监督（区）"),
        ]

    def __str__(self) -> str:
        return f"{self.city}{self.name}"


class Street(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField("街道", max_length=60)
    code = models.CharField("代码", max_length=20, unique=True)

    class Meta:
        verbose_name = "街道"
        verbose_name_plural = "街道"
        ordering = ["code"]
        permissions = [
            ("manage_street", "街道换届办"),
            ("supervise_street", "纪检监督（街道）"),
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    name = models.CharField("社区", max_length=60)
    # Short and stable: used in URLs, file names and the command line (XH01).
    code = models.CharField("社区代码", max_length=20, unique=True)

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["code"]
        permissions = [
            ("work_community", "选举委员会成员"),
            ("chair_community", "选举委员会主任"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department taking part in joint vetting (资格联审), e.g. 公安 or 信访.

    It lives in the core because roles are given for a department; the vetting
    app holds what the department checks."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("部门", max_length=60)
    code = models.CharField("代码", max_length=30)

    class Meta:
        verbose_name = "联审部门"
        verbose_name_plural = "联审部门"
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="department_code_unique")
        ]
        permissions = [("review_department", "联审部门审核人")]

    def __str__(self) -> str:
        return self.name


# Chinese labels of the profile's choices (the values are electionlaw' constants).
