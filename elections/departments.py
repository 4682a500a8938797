"""The departments the 新河 plan names for 资格联审 (一、(4)): the 区委组织部 with 纪检监察,
法院, 检察院, 统战, 政法, 信访, 公安, 民政, 司法, 自然资源, 生态环境, 住建, 卫健, 应急管理 and
税务. Departments are core objects (roles are given for them); the demo district gets
this set, and the vetting app's default negative list names them by code."""

from __future__ import annotations

XINHE_DEPARTMENTS: list[tuple[str, str]] = [
    ("organisation", "区委组织部"),
    ("discipline", "区纪委监委"),
    ("court", "区人民法院"),
    ("procuratorate", "区人民检察院"),
    ("united_front", "区委统战部"),
    ("politics_law", "区委政法委"),
    ("petition", "区信访局"),
    ("police", "区公安分局"),
    ("civil_affairs", "区民政局"),
    ("justice", "区司法局"),
    ("natural_resources", "区自然资源局"),
    ("environment", "区生态环境局"),
    ("housing", "区住房和城乡建设局"),
    ("health", "区卫生健康局"),
    ("emergency", "区应急管理局"),
    ("tax", "区税务局"),
]
